// The console's command policy as the composer shows it: what this session may run, and why a
// refusal happened. The decision is the proxy's own function (protocol/command-policy.ts), so both agree.
import { decideCommand, effectiveRole } from '../../../protocol/command-policy.ts';
import type { ComposerSession } from './queries.ts';

/** Why the policy refuses this command to this session, in words; null when it is allowed (or unknown). */
export function policyRefusal(command: string, session: ComposerSession | null | undefined): string | null {
  if (!session) return null;
  const decision = decideCommand(command, session.role, session.policy);
  if (decision.allowed) return null;
  if (decision.why === 'deny') {
    return `The console's policy denies ${command} to everyone (--deny '${decision.pattern}').`;
  }
  return `You are a viewer${session.policy.readOnly ? ' (the console runs read-only)' : ''}: a viewer may run only ${session.policy.viewerAllow.join(', ')}.`;
}

/** A sentence for the viewer's banner, or null for an operator. */
export function viewerNotice(session: ComposerSession | null | undefined): string | null {
  if (!session || effectiveRole(session.role, session.policy) !== 'viewer') return null;
  return `You are a viewer${session.policy.readOnly ? ' (the console runs read-only)' : ''}. You may run: ${session.policy.viewerAllow.join(', ')}. Other commands are refused by the console.`;
}

/**
 * Explains a QMP error that may be the console's refusal rather than QEMU's answer (the proxy answers a
 * refused command with a GenericError of its own).
 */
export function explainError(
  command: string,
  errorClass: string,
  desc: string,
  session: ComposerSession | null | undefined,
): string | null {
  const refusal = policyRefusal(command, session);
  if (refusal && errorClass === 'GenericError') return `Refused by the console, not by QEMU. ${refusal}`;
  if (errorClass === 'GenericError' && desc.startsWith('QMP Console policy')) {
    return 'Refused by the console’s command policy, not by QEMU: ask an operator to run it.';
  }
  if (errorClass === 'CommandNotFound')
    return 'This QEMU does not have this command (check the name, or the QEMU version).';
  return null;
}
