// The fleet's request/reply messages, shared by the host that answers and the fleet that asks.
import type { JsonObject, QmpErrorBody, QmpReply } from '../../protocol/qmp.ts';

/** `qmp.cmd.HOST.VM`: one QMP command a fleet console's client sent, with who the fleet says it is. */
export interface FleetCommandRequest {
  execute: string;
  arguments?: JsonObject;
  /** The role the fleet console vouches for (it authenticated the browser). */
  role: 'operator' | 'viewer';
  /** The fleet console's name and its client's address, for the host's audit trail. */
  fleet: string;
  client: string;
}

/**
 * The answer: QEMU's reply (without QEMU's id) and the host's journal head when it was sent (events QEMU
 * sent before the reply are at or below it), or `lost` when the VM's QEMU is not connected.
 */
export type FleetCommandResponse = { reply: QmpReply; head: number } | { lost: string };

/** `qmp.ctl.HOST.ack`: acknowledge the host's open alert with these facts. */
export interface FleetAckRequest {
  vm: string;
  event: string;
  device: string | null;
  node: string | null;
  operation: string | null;
  reason: string | null;
  by: string;
}

export type FleetAckResponse = { ok: true; id: number } | { ok: false; error: string };

export const denied = (error: QmpErrorBody): FleetCommandResponse => ({ reply: { error }, head: 0 });
