// One QmpClient per VM, shared by every component that shows that VM.
import { useEffect, useSyncExternalStore } from 'react';
import { QMP_WS_PREFIX } from '../../../protocol/api.ts';
import type { Json, JsonObject } from '../../../protocol/qmp.ts';
import { QmpClient, type QmpClientSnapshot, type WebSocketFactory } from '../qmp/qmp-client.ts';

export interface QmpClientRegistryOptions {
  /** Injected in tests; defaults to the browser's WebSocket. */
  createSocket?: WebSocketFactory;
  /** The WebSocket URL for a VM; defaults to `/qmp/NAME` on this page's origin. */
  urlFor?: (vm: string) => string;
  /** How long a client nobody uses stays open (a quick navigation back reuses it). */
  lingerMs?: number;
}

export type QmpReadyListener = (vm: string, client: QmpClient) => void;

export function defaultQmpUrl(vm: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}${QMP_WS_PREFIX}${encodeURIComponent(vm)}`;
}

interface Entry {
  client: QmpClient;
  refs: number;
  lingerTimer: ReturnType<typeof setTimeout> | null;
  unsubscribe: () => void;
}

export class QmpClientRegistry {
  private options: Required<QmpClientRegistryOptions>;
  private readonly entries = new Map<string, Entry>();
  private readonly readyListeners = new Set<QmpReadyListener>();

  constructor(options: QmpClientRegistryOptions = {}) {
    this.options = QmpClientRegistry.withDefaults(options);
  }

  private static withDefaults(options: QmpClientRegistryOptions): Required<QmpClientRegistryOptions> {
    return {
      createSocket: options.createSocket ?? ((url) => new WebSocket(url)),
      urlFor: options.urlFor ?? defaultQmpUrl,
      lingerMs: options.lingerMs ?? 5000,
    };
  }

  /** Closes every client and applies new options (tests inject a fake socket this way). */
  reset(options: QmpClientRegistryOptions = {}): void {
    for (const vm of [...this.entries.keys()]) this.drop(vm);
    this.readyListeners.clear();
    this.options = QmpClientRegistry.withDefaults(options);
  }

  /** The VM's client, created (idle, not connected) if there is none. Safe to call during render. */
  get(vm: string): QmpClient {
    return this.entry(vm).client;
  }

  /** The VM's client if one exists. */
  peek(vm: string): QmpClient | undefined {
    return this.entries.get(vm)?.client;
  }

  /** Declares a user of the VM's client: connects it if needed. Returns the release function. */
  retain(vm: string): () => void {
    const entry = this.entry(vm);
    entry.refs++;
    if (entry.lingerTimer !== null) clearTimeout(entry.lingerTimer);
    entry.lingerTimer = null;
    entry.client.connect();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      entry.refs--;
      if (entry.refs > 0 || this.entries.get(vm) !== entry) return;
      entry.lingerTimer = setTimeout(() => {
        if (entry.refs === 0 && this.entries.get(vm) === entry) this.drop(vm);
      }, this.options.lingerMs);
    };
  }

  /**
   * Runs one command on the VM's client, connecting it for the while if nobody else uses it (an alert
   * card's Resume on a page with no QMP connection of its own).
   */
  async runOnce<T = Json>(vm: string, command: string, args?: JsonObject): Promise<T> {
    const release = this.retain(vm);
    try {
      const client = this.get(vm);
      await untilReady(client);
      return await client.execute<T>(command, args);
    } finally {
      release();
    }
  }

  /** Called each time any VM's client becomes ready (the first time and after every reconnect). */
  onReady(listener: QmpReadyListener): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  private entry(vm: string): Entry {
    const existing = this.entries.get(vm);
    // A client closed for good stays while in use, so its users can show why; the next user gets a new one.
    if (existing && (existing.client.state !== 'closed' || existing.refs > 0)) return existing;
    if (existing) this.drop(vm);
    const client = new QmpClient({ url: this.options.urlFor(vm), createSocket: this.options.createSocket });
    let readyCount = 0;
    const unsubscribe = client.subscribe(() => {
      const snapshot = client.getSnapshot();
      if (snapshot.readyCount === readyCount) return;
      readyCount = snapshot.readyCount;
      for (const listener of [...this.readyListeners]) listener(vm, client);
    });
    const entry: Entry = { client, refs: 0, lingerTimer: null, unsubscribe };
    this.entries.set(vm, entry);
    return entry;
  }

  private drop(vm: string): void {
    const entry = this.entries.get(vm);
    if (!entry) return;
    this.entries.delete(vm);
    if (entry.lingerTimer !== null) clearTimeout(entry.lingerTimer);
    entry.unsubscribe();
    entry.client.close();
  }
}

/** Resolves once the client is ready; rejects if it closes for good first. */
function untilReady(client: QmpClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const { state, error } = client.getSnapshot();
      if (state === 'ready') resolve();
      else if (state === 'closed') reject(new Error(`not connected: ${error ?? 'closed'}`));
      else return false;
      return true;
    };
    if (check()) return;
    const off = client.subscribe(() => {
      if (check()) off();
    });
  });
}

/** The app's registry: QMP queries and hooks find a VM's client here. */
export const qmpClients = new QmpClientRegistry();

export interface UseQmpClient extends QmpClientSnapshot {
  client: QmpClient;
}

/** The VM's shared client (connected while any component uses it) and its live state. */
export function useQmpClient(vm: string): UseQmpClient {
  const client = qmpClients.get(vm);
  const snapshot = useSyncExternalStore(client.subscribe, client.getSnapshot);
  // Runs again when the registry has replaced a client closed for good, so the new one gets connected.
  useEffect(() => (client === qmpClients.get(vm) ? qmpClients.retain(vm) : undefined), [vm, client]);
  return { client, ...snapshot };
}
