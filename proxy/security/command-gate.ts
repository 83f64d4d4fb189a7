// The command policy as the hub's CommandGate: a refused command is answered by the proxy with the
// client's id and never reaches QEMU.
import type { CommandPolicyInfo } from '../../protocol/api.ts';
import { decideCommand, denialMessage } from '../../protocol/command-policy.ts';
import type { CommandGate } from '../hub/client-session.ts';

/**
 * No QEMU command name comes near this. A longer one cannot exist, so it is answered here, as QEMU
 * would answer it, instead of making QEMU read it (QEMU 7.2 reads about 9 µs a byte: a name of
 * 900 KB would hold the monitor for eight seconds, for every client).
 */
export const MAX_COMMAND_NAME = 128;

export function createCommandGate(policy: CommandPolicyInfo): CommandGate {
  return (command, _args, context) => {
    if (command.length > MAX_COMMAND_NAME)
      return { class: 'CommandNotFound', desc: `The command ${command.slice(0, 64)}... has not been found` };
    const decision = decideCommand(command, context.role, policy);
    return decision.allowed ? null : { class: 'GenericError', desc: denialMessage(command, decision) };
  };
}
