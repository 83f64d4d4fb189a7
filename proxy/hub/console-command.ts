// The console's own commands to a VM (run state on connect, statistics for metrics and graphs): a
// promise per command, bounded by a timeout, settled once even when QEMU goes away first.
import type { JsonObject, QmpReply } from '../../protocol/qmp.ts';
import type { UpstreamSession } from '../qmp/upstream-session.ts';
import type { CommandChannel } from './client-session.ts';

/** The VM's session as a console command needs it: sent in order, and told when QEMU goes away. */
export type ConsoleCommandTarget = Pick<CommandChannel, 'send'> & Pick<UpstreamSession, 'onStatus'>;

export class ConsoleCommandError extends Error {
  constructor(
    readonly command: string,
    readonly reason: 'not-connected' | 'timeout' | 'lost' | 'qmp-error',
    message: string,
    readonly errorClass: string | null = null,
  ) {
    super(message);
    this.name = 'ConsoleCommandError';
  }
}

export interface ConsoleCommandOptions {
  /** How long QEMU may take to answer before the promise rejects (the reply is then ignored). */
  timeoutMs?: number;
}

/**
 * Runs `command` on the VM's upstream session and resolves with QEMU's `return` value. Rejects with a
 * ConsoleCommandError when not connected, on QEMU's error reply (class kept), on timeout, or when the
 * connection is lost before the reply.
 */
export function runConsoleCommand<T = unknown>(
  upstream: ConsoleCommandTarget,
  command: string,
  args?: JsonObject,
  options: ConsoleCommandOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      offStatus();
      fn();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(new ConsoleCommandError(command, 'timeout', `${command}: no reply within ${timeoutMs} ms`)),
        ),
      timeoutMs,
    );
    const offStatus = upstream.onStatus((status) => {
      if (status.state !== 'connected')
        settle(() =>
          reject(
            new ConsoleCommandError(command, 'lost', `${command}: QEMU connection lost before the reply`),
          ),
        );
    });
    const sent = upstream.send('execute', command, args, ({ message }) => {
      settle(() => {
        const reply = message as QmpReply;
        if ('error' in reply)
          reject(
            new ConsoleCommandError(
              command,
              'qmp-error',
              `${command}: ${reply.error.class}: ${reply.error.desc}`,
              reply.error.class,
            ),
          );
        else resolve(reply.return as T);
      });
    });
    if (!sent)
      settle(() =>
        reject(new ConsoleCommandError(command, 'not-connected', `${command}: QEMU is not connected`)),
      );
  });
}
