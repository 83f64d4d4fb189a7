// Pushed QMP events mark queries stale; they never become a second copy of QEMU's state.
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { QmpEvent } from '../../../protocol/qmp.ts';
import { JOB_EVENT_STALE } from '../qemu/jobs.ts';
import { MIGRATION_EVENT_STALE } from '../qemu/migration.ts';
import { useQmpClient } from './qmp-clients.ts';
import { qmpQueryKey } from './qmp-query.ts';

/** The one table: which query commands each QMP event makes stale. */
export const EVENT_INVALIDATIONS: Readonly<Record<string, readonly string[]>> = {
  // Run state.
  STOP: ['query-status'],
  // `cont` also resets every disk's io-status (QEMU's qmp_cont), so a failed disk may read ok again.
  RESUME: ['query-status', 'query-block'],
  RESET: ['query-status'],
  SHUTDOWN: ['query-status'],
  SUSPEND: ['query-status'],
  WAKEUP: ['query-status'],
  POWERDOWN: ['query-status'],
  GUEST_PANICKED: ['query-status'],
  WATCHDOG: ['query-status'],
  // Disks: an error sets io-status (and may stop the VM); a tray or a removed device changes the list.
  BLOCK_IO_ERROR: ['query-status', 'query-block', 'query-blockstats'],
  DEVICE_TRAY_MOVED: ['query-block', 'query-pci'],
  // A removed device can be a disk, a PCI card, a vCPU or a memory device, and leaves the QOM tree.
  DEVICE_DELETED: ['query-block', 'query-pci', 'query-cpus-fast', 'query-memory-size-summary', 'qom-list'],
  BALLOON_CHANGE: ['query-balloon'],
  MEMORY_DEVICE_SIZE_CHANGE: ['query-memory-size-summary'],
  // A guest opening or closing a virtio-serial port.
  VSERPORT_CHANGE: ['query-chardev'],
  // Display clients coming and going.
  VNC_CONNECTED: ['query-vnc'],
  VNC_INITIALIZED: ['query-vnc'],
  VNC_DISCONNECTED: ['query-vnc'],
  SPICE_CONNECTED: ['query-spice'],
  SPICE_INITIALIZED: ['query-spice'],
  SPICE_DISCONNECTED: ['query-spice'],
  // Block jobs, write thresholds and migration.
  ...JOB_EVENT_STALE,
  ...MIGRATION_EVENT_STALE,
};

/** The query commands an event makes stale (none for events not in the table). */
export function staleCommandsFor(event: string): readonly string[] {
  return Object.hasOwn(EVENT_INVALIDATIONS, event) ? (EVENT_INVALIDATIONS[event] ?? []) : [];
}

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
