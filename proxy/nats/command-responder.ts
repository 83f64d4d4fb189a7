// Host side: answers `qmp.cmd.HOST.VM` (a fleet console's client running a QMP command) and
// `qmp.ctl.HOST.ack` (a fleet acknowledging an alert). The host applies its own command policy and
// audits each command with the fleet console's name and the role the fleet vouched for: NATS
// permissions decide who may ask at all (docs/fleet.md), this host decides what runs.
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { ClientContext, CommandRecord } from '../../protocol/journal.ts';
import type { JsonObject } from '../../protocol/qmp.ts';
import type { CommandGate, RefusalReason } from '../hub/client-session.ts';
import type { Hub } from '../hub/hub.ts';
import { alertKey } from '../journal/alert-book.ts';
import type { Journal } from '../journal/journal.ts';
import { log } from '../log.ts';
import type { CommandListener } from '../security/audit.ts';
import type {
  FleetAckRequest,
  FleetAckResponse,
  FleetCommandRequest,
  FleetCommandResponse,
} from './fleet-protocol.ts';
import { commandSubject, controlSubject, fromToken } from './subjects.ts';

export interface ResponderDeps {
  host: string;
  hub: Hub;
  journal: Journal;
  gate: CommandGate;
  onCommand: CommandListener;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseCommand(data: Uint8Array): FleetCommandRequest | string {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return 'the request is not JSON';
  }
  if (!isObject(v) || typeof v.execute !== 'string') return 'the request has no "execute" string';
  if (v.arguments !== undefined && !isObject(v.arguments)) return '"arguments" must be an object';
  return {
    execute: v.execute,
    ...(v.arguments !== undefined ? { arguments: v.arguments as JsonObject } : {}),
    // Anything but an explicit operator is a viewer: a malformed claim never widens access.
    role: v.role === 'operator' ? 'operator' : 'viewer',
    fleet: typeof v.fleet === 'string' ? v.fleet.slice(0, 128) : 'unknown fleet',
    client: typeof v.client === 'string' ? v.client.slice(0, 128) : 'unknown',
  };
}

export function startCommandResponder(nc: NatsConnection, deps: ResponderDeps): Subscription[] {
  const { host, hub, journal } = deps;
  const respond = (msg: Msg, body: FleetCommandResponse | FleetAckResponse) => {
    try {
      msg.respond(JSON.stringify(body));
    } catch (err) {
      log.debug('fleet reply not sent', { error: String(err) });
    }
  };

  const commands = nc.subscribe(`${commandSubject(host, '*')}`, {
    callback: (err, msg) => {
      if (err) return;
      const vmName = fromToken(msg.subject.split('.').at(-1)!);
      const req = parseCommand(msg.data);
      if (typeof req === 'string')
        return respond(msg, { reply: { error: { class: 'GenericError', desc: req } }, head: 0 });
      const vm = hub.get(vmName);
      if (!vm) return respond(msg, { lost: `no VM "${vmName}" on host ${host}` });
      const context: ClientContext = { role: req.role, remoteAddress: `fleet ${req.fleet} (${req.client})` };
      const record = (outcome: CommandRecord['outcome'], errorClass?: string, refusal?: RefusalReason) =>
        deps.onCommand({
          vm: vm.name,
          context,
          command: req.execute,
          argumentNames: Object.keys(req.arguments ?? {}),
          outcome,
          ...(errorClass ? { errorClass } : {}),
          ...(refusal ? { refusal } : {}),
        });
      // The fleet console negotiates with its own clients; QEMU's session here is long negotiated.
      if (req.execute === 'qmp_capabilities')
        return respond(msg, { reply: { return: {} }, head: journal.headSeq });
      const refusal = deps.gate(req.execute, req.arguments, context);
      if (refusal) {
        record('denied', refusal.class, refusal.reason);
        return respond(msg, { reply: { error: { class: refusal.class, desc: refusal.desc } }, head: 0 });
      }
      // Through the VM's outbox: the reply waits for the events QEMU sent before it to be journaled.
      const sent = vm.send('execute', req.execute, req.arguments, ({ message }) => {
        record('error' in message ? 'error' : 'ok', 'error' in message ? message.error.class : undefined);
        const { id: _id, ...reply } = message as typeof message & { id?: unknown };
        respond(msg, { reply, head: journal.headSeq });
      });
      if (!sent) {
        record('lost');
        respond(msg, { lost: `QEMU not connected: ${vm.upstream.status.error ?? 'connecting'}` });
      }
    },
  });

  const acks = nc.subscribe(controlSubject(host, 'ack'), {
    callback: (err, msg) => {
      if (err) return;
      let req: FleetAckRequest;
      try {
        req = JSON.parse(new TextDecoder().decode(msg.data)) as FleetAckRequest;
        if (typeof req.vm !== 'string' || typeof req.event !== 'string') throw new Error('bad');
      } catch {
        return respond(msg, { ok: false, error: 'the request is not an alert acknowledgement' });
      }
      const key = alertKey(req.vm, {
        event: req.event as never,
        device: req.device,
        node: req.node,
        operation: req.operation,
        reason: req.reason,
      });
      const open = journal
        .listAlerts({ state: 'open', vm: req.vm, limit: 1000 })
        .find((a) => alertKey(a.vm, a) === key);
      if (!open) return respond(msg, { ok: false, error: 'no such open alert on this host' });
      const by = typeof req.by === 'string' ? req.by.slice(0, 200) : 'fleet';
      journal.acknowledge(open.id, by);
      respond(msg, { ok: true, id: open.id });
    },
  });
  return [commands, acks];
}
