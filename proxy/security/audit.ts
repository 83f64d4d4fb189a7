// The audit trail: one structured line per command a client runs. Argument values are never
// recorded (`set_password`, `secret` objects carry secrets), only their names.
import type { CommandRecord } from '../../protocol/journal.ts';
import { log as defaultLog, type Logger } from '../log.ts';

export type CommandListener = (record: CommandRecord) => void;

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}...` : s);

/** The fields of one audit line. Names are clipped: a client chooses them, and could choose huge ones. */
export function auditFields(record: CommandRecord): Record<string, unknown> {
  const names = record.argumentNames;
  return {
    vm: record.vm,
    role: record.context.role,
    client: record.context.remoteAddress,
    command: clip(record.command, 128),
    args: names.slice(0, 32).map((n) => clip(n, 64)),
    ...(names.length > 32 ? { moreArgs: names.length - 32 } : {}),
    outcome: record.outcome,
    ...(record.errorClass ? { errorClass: clip(record.errorClass, 64) } : {}),
    ...(record.refusal ? { refusal: record.refusal } : {}),
    ...(record.count !== undefined ? { count: record.count } : {}),
  };
}

/**
 * Writes `{"time", "level":"info", "msg":"command", vm, role, client, command, args, outcome}`, after
 * the reply: records wait for the end of the event-loop turn (`setImmediate`), so formatting the line
 * and the write to stderr (synchronous for a pipe) never sit between QEMU's reply and the client.
 */
export function createAuditLog(logger: Logger = defaultLog): CommandListener {
  let waiting: CommandRecord[] = [];
  const writeWaiting = () => {
    const records = waiting;
    waiting = [];
    if (!logger.enabled('info')) return;
    for (const record of records) logger.info('command', auditFields(record));
  };
  return (record) => {
    if (waiting.length === 0) setImmediate(writeWaiting);
    waiting.push(record);
  };
}

/** One `onCommand` hook for several listeners (the audit log, the journal); one failing spares the rest. */
export function composeCommandListeners(...listeners: (CommandListener | undefined)[]): CommandListener {
  const present = listeners.filter((l): l is CommandListener => l !== undefined);
  return (record) => {
    for (const listener of present) {
      try {
        listener(record);
      } catch (err) {
        defaultLog.error('command listener failed', { error: String(err) });
      }
    }
  };
}
