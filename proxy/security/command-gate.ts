// The command policy as the hub's CommandGate: a refused command is answered by the proxy with the
// client's id and never reaches QEMU.
import type { CommandPolicyInfo } from '../../protocol/api.ts';
import { decideCommand, denialMessage } from '../../protocol/command-policy.ts';
import type { CommandGate } from '../hub/client-session.ts';

export function createCommandGate(policy: CommandPolicyInfo): CommandGate {
  return (command, _args, context) => {
    const decision = decideCommand(command, context.role, policy);
    return decision.allowed ? null : { class: 'GenericError', desc: denialMessage(command, decision) };
  };
}
