// What the HTTP server needs from the VMs it serves: the local Hub, or a fleet console's VMs of every host.
import type { VmSummary } from '../../protocol/api.ts';
import type { ClientContext } from '../../protocol/journal.ts';
import type { ClientSession } from './client-session.ts';
import type { ClientTransport } from './client-transport.ts';

export interface VmEndpoint {
  readonly clientCount: number;
  /** A new client's own QMP session, or null (the transport is closed with the reason). */
  attach(transport: ClientTransport, context: ClientContext): ClientSession | null;
  detach(session: ClientSession): void;
}

export interface ConsoleHub {
  get(name: string): VmEndpoint | undefined;
  summaries(): VmSummary[];
  /** Told whenever a VM's summary changes (connection, run state, version). */
  onSummary(listener: (summary: VmSummary) => void): () => void;
  readonly clientCount: number;
}
