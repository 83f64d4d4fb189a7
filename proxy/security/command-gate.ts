// The command policy as the hub's CommandGate: a refused command is answered by the proxy with the
// client's id and never reaches QEMU. It looks inside the two commands that run other commands:
// `human-monitor-command` (an HMP line) and `transaction` (a list of actions).
import type { CommandPolicyInfo, ConsoleRole } from '../../protocol/api.ts';
import { decideCommand, denialMessage } from '../../protocol/command-policy.ts';
import type { JsonObject } from '../../protocol/qmp.ts';
import type { CommandGate, CommandRefusal, RefusalReason } from '../hub/client-session.ts';
import { hmpMeaning } from './hmp-commands.ts';

/**
 * No QEMU command name comes near this. A longer one cannot exist, so it is answered here, as QEMU
 * would answer it, instead of making QEMU read it (QEMU 7.2 reads about 9 µs a byte: a name of
 * 900 KB would hold the monitor for eight seconds, for every client).
 */
export const MAX_COMMAND_NAME = 128;

const refuse = (desc: string, reason: RefusalReason): CommandRefusal => ({
  class: 'GenericError',
  desc,
  reason,
});
const reasonOf = (decision: { why: 'deny' | 'viewer' }): RefusalReason => decision.why;

/** The first of `inner` (commands run on the client's behalf) the policy refuses, as a QMP error. */
function refuseInner(
  outer: string,
  what: string,
  inner: readonly string[],
  role: ConsoleRole,
  policy: CommandPolicyInfo,
): CommandRefusal | null {
  for (const command of inner) {
    const decision = decideCommand(command, role, policy);
    if (!decision.allowed)
      return refuse(`${denialMessage(command, decision)}: '${outer}' ${what} runs it`, reasonOf(decision));
  }
  return null;
}

/** What `human-monitor-command` and `transaction` would run, checked as if sent on their own. */
function refuseNested(
  command: string,
  args: JsonObject | undefined,
  role: ConsoleRole,
  policy: CommandPolicyInfo,
): CommandRefusal | null {
  if (command === 'human-monitor-command') {
    const line = args?.['command-line'];
    // Not a string: QEMU refuses the arguments and runs nothing.
    if (typeof line !== 'string') return null;
    const hmp = hmpMeaning(line);
    if (hmp.kind === 'empty') return null;
    if (hmp.kind === 'unchecked')
      return policy.deny.length === 0
        ? null
        : refuse(
            `QMP Console policy denies HMP '${hmp.name.slice(0, 64)}' while --deny is in force: no QMP command it could be checked as`,
            'deny',
          );
    return refuseInner(command, `line '${hmp.name}'`, hmp.qmp, role, policy);
  }
  if (command === 'transaction') {
    const actions = args?.actions;
    if (!Array.isArray(actions)) return null;
    // Each action's `type` is the QMP command it runs (`blockdev-snapshot-sync`, `drive-backup`, ...).
    const types = actions.flatMap((a) =>
      a !== null && typeof a === 'object' && !Array.isArray(a) && typeof a.type === 'string' ? [a.type] : [],
    );
    return refuseInner(command, 'action', types, role, policy);
  }
  return null;
}

export function createCommandGate(policy: CommandPolicyInfo): CommandGate {
  return (command, args, context) => {
    if (command.length > MAX_COMMAND_NAME)
      return {
        class: 'CommandNotFound',
        desc: `The command ${command.slice(0, 64)}... has not been found`,
        reason: 'name-too-long',
      };
    const decision = decideCommand(command, context.role, policy);
    if (!decision.allowed) return refuse(denialMessage(command, decision), reasonOf(decision));
    return refuseNested(command, args, context.role, policy);
  };
}
