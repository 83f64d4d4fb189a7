// What this QEMU offers (`query-commands`) and what this browser may run (`GET /api/session`).
import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { CommandInfo } from './qapi.ts';
import { type SessionView, vmInfoQueries } from './queries.ts';

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

/** Whole-name glob as the console's policy uses it: `*` any run, `?` any one character. */
export function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );
  return re.test(text);
}

/** Why the console would refuse `command` to this browser, or null if it would not (or cannot say). */
export function refusalReason(session: SessionView | null | undefined, command: string): string | null {
  if (!session) return null;
  const policy = session.policy;
  const denied = policy?.deny?.find((p) => globMatch(p, command));
  if (denied !== undefined) return `The console denies ${command} to everyone.`;
  const viewer = session.role === 'viewer' || policy?.readOnly === true;
  if (!viewer) return null;
  const allow = policy?.viewerAllow;
  if (allow?.some((p) => globMatch(p, command))) return null;
  return `Viewers may not run ${command}.`;
}

/** `refusalReason` for this browser's session (null while it is loading or absent). */
export function useRefusal(): (command: string) => string | null {
  const session = useQuery(vmInfoQueries.session());
  const data = session.data;
  return useCallback((command: string) => refusalReason(data, command), [data]);
}
