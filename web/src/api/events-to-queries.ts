// Pushed QMP events mark queries stale (which ones: the event catalogue, qemu/events.ts); they never
// become a second copy of QEMU's state.
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { QmpEvent } from '../../../protocol/qmp.ts';
import { staleCommandsFor } from '../qemu/events.ts';
import { useQmpClient } from './qmp-clients.ts';
import { qmpQueryKey } from './qmp-query.ts';

export interface EventInvalidatorOptions {
  /**
   * At most one invalidation per query per this many ms (the first at once, the rest batched):
   * QEMU 7.2 does not rate-limit BLOCK_IO_ERROR, and a failing disk can send thousands per second.
   */
  throttleMs?: number;
}

/** Invalidates `['vm', vm, command]` for each command an event makes stale, throttled. */
export function createEventInvalidator(
  queryClient: QueryClient,
  vm: string,
  { throttleMs = 200 }: EventInvalidatorOptions = {},
) {
  const stale = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastFlush = Number.NEGATIVE_INFINITY;

  const flush = () => {
    timer = null;
    lastFlush = Date.now();
    const commands = [...stale];
    stale.clear();
    for (const command of commands)
      void queryClient.invalidateQueries({ queryKey: qmpQueryKey(vm, command) });
  };

  return {
    handle(event: QmpEvent): void {
      const commands = staleCommandsFor(event.event);
      if (commands.length === 0) return;
      for (const command of commands) stale.add(command);
      if (timer === null) timer = setTimeout(flush, Math.max(0, lastFlush + throttleMs - Date.now()));
    },
    dispose(): void {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      stale.clear();
    },
  };
}

type EventSource = { onEvent(fn: (event: QmpEvent) => void): () => void };

/** One invalidator per (query client, QMP client), however many components ask for it. */
const shared = new WeakMap<QueryClient, Map<EventSource, { users: number; release: () => void }>>();

/**
 * Subscribes the VM's query invalidation to the client's events, shared by every caller; returns the
 * caller's release. A VM page, its alert cards and its row in the VM list then cause one refetch per
 * stale query, not one each.
 */
export function retainEventInvalidation(
  queryClient: QueryClient,
  client: EventSource,
  vm: string,
  options?: EventInvalidatorOptions,
): () => void {
  let byClient = shared.get(queryClient);
  if (!byClient) {
    byClient = new Map();
    shared.set(queryClient, byClient);
  }
  let entry = byClient.get(client);
  if (!entry) {
    const invalidator = createEventInvalidator(queryClient, vm, options);
    const off = client.onEvent(invalidator.handle);
    entry = {
      users: 0,
      release: () => {
        off();
        invalidator.dispose();
      },
    };
    byClient.set(client, entry);
  }
  entry.users++;
  const held = entry;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.users--;
    if (held.users === 0) {
      held.release();
      byClient.delete(client);
    }
  };
}

/** Keeps the VM's queries fresh from its events (one shared subscription per VM, however many callers). */
export function useEventInvalidation(vm: string, options?: EventInvalidatorOptions): void {
  const queryClient = useQueryClient();
  const { client } = useQmpClient(vm);
  const throttleMs = options?.throttleMs;
  useEffect(
    () =>
      retainEventInvalidation(queryClient, client, vm, throttleMs === undefined ? undefined : { throttleMs }),
    [client, queryClient, vm, throttleMs],
  );
}
