// Why the console would refuse a command to this browser: one sentence, built from the proxy's own
// decision function (protocol/command-policy.ts), so greyed-out controls and the proxy always agree.
import type { SessionInfo } from '../../../protocol/api.ts';
import { decideCommand, effectiveRole } from '../../../protocol/command-policy.ts';

/** What a refusal needs of `GET /api/session`. */
export type PolicySession = Pick<SessionInfo, 'role' | 'policy'>;

/** "(the console runs read-only)" when `--read-only` made this browser a viewer. */
const readOnlyNote = (session: PolicySession) =>
  session.policy.readOnly ? ' (the console runs read-only)' : '';

/** The one sentence for a refused command; null when it is allowed (or the session is unknown). */
export function refusalSentence(session: PolicySession | null | undefined, command: string): string | null {
  if (!session) return null;
  const decision = decideCommand(command, session.role, session.policy);
  if (decision.allowed) return null;
  if (decision.why === 'deny')
    return `The console's policy denies ${command} to everyone (--deny '${decision.pattern}').`;
  return `Viewers may not run ${command}${readOnlyNote(session)}: a viewer may run only ${session.policy.viewerAllow.join(', ')}.`;
}

/** A sentence for a viewer's banner, or null for an operator. */
export function viewerNotice(session: PolicySession | null | undefined): string | null {
  if (!session || effectiveRole(session.role, session.policy) !== 'viewer') return null;
  return `You are a viewer${readOnlyNote(session)}. You may run: ${session.policy.viewerAllow.join(', ')}. Other commands are refused by the console.`;
}

/** The proxy answers a refused command with a GenericError of its own, whose desc starts like this. */
const CONSOLE_REFUSAL_PREFIX = 'QMP Console policy';

/**
 * Explains a QMP error that may be the console's refusal rather than QEMU's answer, or that QEMU lacks
 * the command; null when QEMU's own words say it all.
 */
export function explainQmpError(
  command: string,
  errorClass: string,
  desc: string,
  session: PolicySession | null | undefined,
): string | null {
  if (errorClass === 'GenericError') {
    const refusal = refusalSentence(session, command);
    if (refusal) return `Refused by the console, not by QEMU. ${refusal}`;
    if (desc.startsWith(CONSOLE_REFUSAL_PREFIX))
      return 'Refused by the console, not by QEMU: ask an operator to run it.';
  }
  if (errorClass === 'CommandNotFound')
    return 'This QEMU does not have this command (check the name, or the QEMU version).';
  return null;
}
