// QMP commands as TanStack queries, run through the VM's shared client.
import { type QueryClient, queryOptions } from '@tanstack/react-query';
import type { Json, JsonObject } from '../../../protocol/qmp.ts';
import { type QmpClientRegistry, qmpClients } from './qmp-clients.ts';

/** Every QMP query of a VM lives under this key: invalidating it refreshes the VM's panels. */
export function vmQueryRoot(vm: string) {
  return ['vm', vm] as const;
}

export type QmpQueryKey = readonly ['vm', string, string] | readonly ['vm', string, string, JsonObject];

/** `['vm', vm, command]`, or `['vm', vm, command, args]` with arguments. */
export function qmpQueryKey(vm: string, command: string, args?: JsonObject): QmpQueryKey {
  return args === undefined ? ['vm', vm, command] : ['vm', vm, command, args];
}

/**
 * Runs `command` on the VM's client. Disabled until the client is ready; refreshed when it becomes ready
 * again (see `refreshQueriesOnReady`) and when an event makes it stale (see `events-to-queries.ts`).
 * `T` is trusted, not checked: pick it from the QAPI schema.
 */
export function qmpQueryOptions<T = Json>(vm: string, command: string, args?: JsonObject) {
  return queryOptions({
    queryKey: qmpQueryKey(vm, command, args),
    queryFn: () => qmpClients.get(vm).execute<T>(command, args),
    enabled: () => qmpClients.peek(vm)?.state === 'ready',
    // A QMP error will not go away by asking again; a lost connection is retried when it is ready again.
    retry: false,
    // The QMP connection has its own state; the browser's idea of being online does not matter.
    networkMode: 'always',
  });
}

/**
 * Refreshes a VM's queries each time its client becomes ready: the first time, this starts the queries
 * that were waiting (disabled); after a reconnect, it replaces what QEMU may have changed meanwhile.
 * Returns the unsubscribe function.
 */
export function refreshQueriesOnReady(queryClient: QueryClient, registry: QmpClientRegistry = qmpClients) {
  return registry.onReady((vm) => {
    // cancelRefetch: false, so a fetch a component has just started on its own is reused, not repeated.
    void queryClient.invalidateQueries({ queryKey: vmQueryRoot(vm) }, { cancelRefetch: false });
  });
}
