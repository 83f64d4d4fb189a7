// What this QEMU offers (`query-commands`) and what this browser may run (`GET /api/session`).
import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { refusalSentence } from '../qemu/refusal.ts';
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

/** Why the console would refuse a command to this browser (qemu/refusal.ts) (null while it is loading or absent). */
export function useRefusal(): (command: string) => string | null {
  const session = useQuery(vmInfoQueries.session());
  const data = session.data;
  return useCallback((command: string) => refusalSentence(data, command), [data]);
}
