// What this QEMU offers (`query-commands`) and what this browser may run (`GET /api/session`).
import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { SessionInfo } from '../../../protocol/api.ts';
import { decideCommand } from '../../../protocol/command-policy.ts';
import type { CommandInfo } from './qapi.ts';
import { vmInfoQueries } from './queries.ts';

const toNameSet = (commands: CommandInfo[]): ReadonlySet<string> => new Set(commands.map((c) => c.name));

/**
 * Whether the VM's QEMU has a command: `undefined` until `query-commands` has answered; `true` when
 * it could not be asked (then the command itself is tried, and its error shown).
 */
export type Availability = boolean | undefined;

export function useCommandAvailability(vm: string): (command: string) => Availability {
  const commands = useQuery({ ...vmInfoQueries.commands(vm), select: toNameSet, staleTime: Infinity });
  const { data, isError } = commands;
  return useCallback(
    (command: string) => (data ? data.has(command) : isError ? true : undefined),
    [data, isError],
  );
}

/** Options that keep a QMP query idle until its command is known to exist. */
export function whenAvailable<O extends { enabled?: unknown }>(options: O, available: Availability): O {
  return available === true ? options : { ...options, enabled: false };
}

/**
 * Why the console would refuse `command` to this browser, or null if it would not (or cannot say): the
 * proxy's own decision function, so the greyed-out buttons and the proxy always agree.
 */
export function refusalReason(session: SessionInfo | null | undefined, command: string): string | null {
  if (!session) return null;
  const decision = decideCommand(command, session.role, session.policy);
  if (decision.allowed) return null;
  return decision.why === 'deny'
    ? `The console denies ${command} to everyone (--deny '${decision.pattern}').`
    : `Viewers may not run ${command}.`;
}

/** `refusalReason` for this browser's session (null while it is loading or absent). */
export function useRefusal(): (command: string) => string | null {
  const session = useQuery(vmInfoQueries.session());
  const data = session.data;
  return useCallback((command: string) => refusalReason(data, command), [data]);
}
