// The console's own state as it changes (`GET /api/stream`): one EventSource for the whole app, feeding
// react-query's caches — it sets the data of `['vms']` and of the open alerts, it is not a second store.
// Each connection starts with a snapshot that replaces what the caches hold; then one message per change
// (a VM's summary, an alert, the journal's health).
import type { QueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { CONSOLE_STREAM_PATH, type ConsoleStreamMessage, type VmSummary } from '../../../protocol/api.ts';
import type { JournalAlert, JournalHealth } from '../../../protocol/journal.ts';
import { alertChanged, alertKeys, openAlertsReplaced } from './alerts.ts';
import { frameScheduler } from './frame-scheduler.ts';
import {
  type EventSourceFactory,
  openRetryingEventSource,
  type SseMessage,
  type StreamStatus,
} from './sse.ts';
import { vmsPushed, vmsQueryOptions } from './vms.ts';

export interface ConsoleStreamHandlers {
  /**
   * Alerts that opened since the last message: new ones on the stream, and after a reconnection those
   * the snapshot holds that this browser did not (never on the first connection: they are on show).
   */
  alertsRaised?(alerts: JournalAlert[]): void;
  status?(status: StreamStatus, detail: string | null): void;
}

export interface ConsoleStreamOptions {
  createEventSource?: EventSourceFactory | undefined;
  retryMs?: number;
  maxRetryMs?: number;
  /** Runs a batch of changes (tests run it at once); the next animation frame by default. */
  schedule?: (fn: () => void) => () => void;
}

type MessageOf<T extends ConsoleStreamMessage['type']> = Extract<ConsoleStreamMessage, { type: T }>;

function parse<T extends ConsoleStreamMessage['type']>(e: SseMessage, type: T): MessageOf<T> | null {
  try {
    const m = JSON.parse(e.data) as ConsoleStreamMessage;
    return m?.type === type ? (m as MessageOf<T>) : null;
  } catch {
    return null;
  }
}

/** One VM's new summary goes into `['vms']` (a VM the list did not have is added). */
export function vmChanged(queryClient: QueryClient, vm: VmSummary): void {
  queryClient.setQueryData<VmSummary[]>(vmsQueryOptions.queryKey, (old) => {
    if (!old) return old;
    const i = old.findIndex((v) => v.name === vm.name);
    if (i === -1) return [...old, vm];
    const next = old.slice();
    next[i] = vm;
    return next;
  });
}

function journalChanged(queryClient: QueryClient, journal: JournalHealth): void {
  queryClient.setQueryData<VmSummary[]>(vmsQueryOptions.queryKey, (old) =>
    old?.map((v) => ({ ...v, journal })),
  );
}

/** The stream is newer than any `GET /api/vms` still in flight: drop such a read. */
function vmsReplaced(queryClient: QueryClient, vms: VmSummary[]): void {
  void queryClient.cancelQueries({ queryKey: vmsQueryOptions.queryKey });
  queryClient.setQueryData(vmsQueryOptions.queryKey, vms);
}

const openIds = (queryClient: QueryClient): Set<number> =>
  new Set((queryClient.getQueryData<JournalAlert[]>(alertKeys.open()) ?? []).map((a) => a.id));

export function openConsoleStream(
  queryClient: QueryClient,
  options: ConsoleStreamOptions = {},
  handlers: ConsoleStreamHandlers = {},
): { close(): void } {
  let primed = false;
  const schedule = options.schedule ?? frameScheduler;
  // A storm changes a VM's run state (STOP, RESUME) and the journal thousands of times a second: every
  // change is held until the next frame and only the newest of each is applied, so the page renders
  // once a frame whatever the rate.
  const pendingAlerts = new Map<number, JournalAlert>();
  const pendingVms = new Map<string, VmSummary>();
  let pendingJournal: JournalHealth | null = null;
  let cancelApply: (() => void) | null = null;
  const applyPending = () => {
    cancelApply = null;
    for (const vm of pendingVms.values()) vmChanged(queryClient, vm);
    pendingVms.clear();
    if (pendingJournal) journalChanged(queryClient, pendingJournal);
    pendingJournal = null;
    const changes = [...pendingAlerts.values()];
    pendingAlerts.clear();
    const raised = changes.filter((c) => alertChanged(queryClient, c));
    if (primed && raised.length > 0) handlers.alertsRaised?.(raised);
  };
  const source = openRetryingEventSource({
    url: () => CONSOLE_STREAM_PATH,
    name: 'the console stream',
    createEventSource: options.createEventSource,
    retryMs: options.retryMs,
    maxRetryMs: options.maxRetryMs,
    status: (s, detail) => {
      vmsPushed.live = s === 'open';
      consoleReach.set(s);
      handlers.status?.(s, detail);
    },
    listeners: {
      snapshot: (e) => {
        const m = parse(e, 'snapshot');
        if (!m) return;
        source.healthy();
        // The snapshot is newer than any change still held for the next frame.
        pendingVms.clear();
        pendingJournal = null;
        const known = openIds(queryClient);
        vmsReplaced(queryClient, Array.isArray(m.vms) ? m.vms : []);
        const alerts = Array.isArray(m.alerts) ? m.alerts : [];
        openAlertsReplaced(queryClient, alerts);
        if (primed) {
          const raised = alerts.filter((a) => a.state === 'open' && !known.has(a.id));
          if (raised.length > 0) handlers.alertsRaised?.(raised);
        }
        primed = true;
      },
      vm: (e) => {
        const m = parse(e, 'vm');
        if (!m) return;
        pendingVms.set(m.vm.name, m.vm);
        cancelApply ??= schedule(applyPending);
      },
      alert: (e) => {
        const m = parse(e, 'alert');
        if (!m) return;
        // A storm sends an alert change per journal batch: the newest of each is kept for the frame.
        const a = m.alert;
        const held = pendingAlerts.get(a.id);
        if (!held || a.state !== 'open' || a.lastSeq >= held.lastSeq) pendingAlerts.set(a.id, a);
        cancelApply ??= schedule(applyPending);
      },
      journal: (e) => {
        const m = parse(e, 'journal');
        if (!m) return;
        pendingJournal = m.journal;
        cancelApply ??= schedule(applyPending);
      },
    },
  });
  return {
    close: () => {
      source.close();
      cancelApply?.();
    },
  };
}

/**
 * Whether this page can reach the console at all: the console stream is the page's heartbeat to it. When
 * it fails, a VM's QMP socket fails too (1006) — the console is gone, not the VM.
 */
const consoleReach = (() => {
  let unreachableSince: number | null = null;
  const listeners = new Set<() => void>();
  return {
    set(status: StreamStatus) {
      const next = status === 'reconnecting' ? (unreachableSince ?? Date.now()) : null;
      if (next === unreachableSince) return;
      unreachableSince = next;
      for (const l of listeners) l();
    },
    get: () => unreachableSince,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
})();

/** Since when (ms) the console has been unreachable from this page; null while it answers. */
export function useConsoleUnreachableSince(): number | null {
  return useSyncExternalStore(consoleReach.subscribe, consoleReach.get, consoleReach.get);
}

type RaisedListener = (alerts: JournalAlert[]) => void;
const raisedListeners = new Set<RaisedListener>();

/** Keeps the app's one console stream open while mounted (the app's providers do it). */
export function useConsoleStream(queryClient: QueryClient, createEventSource?: EventSourceFactory): void {
  useEffect(() => {
    const stream = openConsoleStream(
      queryClient,
      { createEventSource },
      {
        alertsRaised: (alerts) => {
          for (const listener of [...raisedListeners]) listener(alerts);
        },
      },
    );
    return () => stream.close();
  }, [queryClient, createEventSource]);
}

/** Calls `listener` with each batch of alerts the console stream raises (see `alertsRaised`). */
export function useAlertsRaised(listener: RaisedListener): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    const l: RaisedListener = (alerts) => latest.current(alerts);
    raisedListeners.add(l);
    return () => {
      raisedListeners.delete(l);
    };
  }, []);
}
