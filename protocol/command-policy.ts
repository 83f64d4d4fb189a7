// Which commands a role may run: one function shared by the proxy (which enforces it) and the SPA
// (which greys out what would be refused), so both always agree.
import type { CommandPolicyInfo, ConsoleRole } from './api.ts';

/**
 * What a viewer may run. `query-*` is QAPI's read-only family; `qom-list` and `qom-list-types` list
 * what exists. Left out on purpose: `qom-get` (it reads any property, and a `secret` object's `data`
 * property is its plaintext secret), `x-query-*` (unstable, and `x-query-profile` resets QEMU's
 * counters), `human-monitor-command` (any HMP command: full control), and `qom-list-properties` and
 * `device-list-properties`: both instantiate an object of any type the client names, and in QEMU 7.2
 * some types abort the whole process there (`microvm-machine`, `colo-compare`; `virtio-gpu-gl-pci`
 * when its GL module cannot load). A scan of every type on a real QEMU keeps this list honest.
 */
export const VIEWER_ALLOW: readonly string[] = ['query-*', 'qom-list', 'qom-list-types'];

export type CommandDecision =
  | { allowed: true }
  | { allowed: false; why: 'deny'; pattern: string }
  | { allowed: false; why: 'viewer' };

/** The role a client acts with: `--read-only` makes everybody a viewer. */
export function effectiveRole(role: ConsoleRole, policy: Pick<CommandPolicyInfo, 'readOnly'>): ConsoleRole {
  return policy.readOnly ? 'viewer' : role;
}

export function decideCommand(
  command: string,
  role: ConsoleRole,
  policy: CommandPolicyInfo,
): CommandDecision {
  const pattern = policy.deny.find((p) => globMatch(p, command));
  if (pattern !== undefined) return { allowed: false, why: 'deny', pattern };
  if (effectiveRole(role, policy) === 'viewer' && !policy.viewerAllow.some((p) => globMatch(p, command)))
    return { allowed: false, why: 'viewer' };
  return { allowed: true };
}

/** The desc of the QMP error a refused command gets. */
export function denialMessage(command: string, decision: CommandDecision): string {
  const name = command.length > 100 ? `${command.slice(0, 100)}...` : command;
  if (decision.allowed) return '';
  return decision.why === 'deny'
    ? `QMP Console policy denies '${name}' to every role (--deny '${decision.pattern}')`
    : `QMP Console policy denies '${name}' to the viewer role`;
}

/**
 * Whole-name glob: `*` is any run of characters, `?` any one character, everything else literal and
 * case-sensitive (QEMU's command names are). Linear backtracking, so a long hostile name cannot make
 * it slow.
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '*') {
      star = p++;
      mark = t;
    } else if (c !== undefined && (c === '?' || c === text[t])) {
      p++;
      t++;
    } else if (star !== -1) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
