// Pause, Resume, Reset, Power down, Quit (the command catalogue's run controls); the destructive ones ask
// first, naming the VM.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { VmRunState } from '../../../protocol/api.ts';
import { useQmpClient } from '../api/qmp-clients.ts';
import { vmsPushed } from '../api/vms.ts';
import {
  buttonConfirmation,
  commandFacts,
  RUN_CONTROL_COMMANDS,
  type RunControlCommand,
} from '../qemu/commands.ts';
import { resumesIntoKnownFault } from '../qemu/run-state.ts';
import { ConfirmDialog } from '../ui/confirm-dialog.tsx';
import { QueryError } from '../ui/query-error.tsx';
import { Timestamp } from '../ui/timestamp.tsx';
import { useRefusal } from './capabilities.ts';
import { vmInfoKeys } from './queries.ts';

export interface RunAction {
  command: RunControlCommand;
  label: string;
  /** Cannot be undone: confirmed first. */
  destructive: boolean;
  /** What happens, in a sentence. */
  consequence: string;
}

export const RUN_ACTIONS: readonly RunAction[] = RUN_CONTROL_COMMANDS.map((command) => {
  const facts = commandFacts(command);
  return {
    command,
    label: facts.label ?? command,
    destructive: facts.danger === 'destructive',
    consequence: facts.consequence ?? '',
  };
});

/** Why an action makes no sense in the current run state, or null. */
export function pointless(
  action: RunAction,
  status: Pick<VmRunState, 'running' | 'status'> | undefined,
): string | null {
  if (!status) return null;
  if (action.command === 'stop' && !status.running) return 'The VM is not running.';
  if (action.command === 'cont' && status.running) return 'The VM is already running.';
  return null;
}

export function RunControls({
  vm,
  status,
}: {
  vm: string;
  status: Pick<VmRunState, 'running' | 'status'> | undefined;
}) {
  const { client, state } = useQmpClient(vm);
  const queryClient = useQueryClient();
  const refusal = useRefusal();
  const [confirming, setConfirming] = useState<RunAction | null>(null);
  const [done, setDone] = useState<{ action: RunAction; at: number } | null>(null);
  const run = useMutation({
    mutationFn: (action: RunAction) => client.execute(action.command),
    onMutate: () => setDone(null),
    onSuccess: (_data, action) => setDone({ action, at: Date.now() }),
    // The console stream brings the new run state; without it, the VM list is asked again. Not awaited:
    // the controls come back as soon as QEMU has answered the command itself.
    onSettled: () => {
      if (!vmsPushed.live) void queryClient.invalidateQueries({ queryKey: vmInfoKeys.list() });
    },
  });
  const connected = state === 'ready';
  const refusedCount = RUN_ACTIONS.filter((a) => refusal(a.command) !== null).length;

  // The same rule as an alert's Resume: ask before resuming into a fault QEMU stopped the VM for.
  const asksFirst = (action: RunAction) =>
    action.destructive || (action.command === 'cont' && resumesIntoKnownFault(status?.status));
  const start = (action: RunAction) => {
    if (asksFirst(action)) setConfirming(action);
    else run.mutate(action);
  };

  return (
    <div className="run-controls">
      <fieldset className="button-row">
        <legend className="sr-only">Run-state controls</legend>
        {RUN_ACTIONS.map((action) => {
          const why = refusal(action.command) ?? pointless(action, status);
          return (
            <button
              key={action.command}
              type="button"
              className={action.destructive ? 'danger-outline' : undefined}
              disabled={!connected || run.isPending || why !== null}
              title={why ?? `Runs ${action.command}`}
              onClick={() => start(action)}
            >
              {action.label}
              {action.destructive ? '…' : null}
            </button>
          );
        })}
      </fieldset>
      {refusedCount > 0 ? (
        <p className="muted small">
          {refusedCount === RUN_ACTIONS.length
            ? 'Run-state controls are for operators; this session may only look.'
            : "Some controls are off: the console's policy denies them."}
        </p>
      ) : null}
      {run.isError && run.variables ? (
        <QueryError what={`${run.variables.label} (${run.variables.command}) failed`} error={run.error} />
      ) : null}
      {done ? (
        <p className="muted small">
          {done.action.command} sent at <Timestamp at={done.at} />.
        </p>
      ) : null}
      {confirming ? (
        <ConfirmDialog
          {...buttonConfirmation(confirming.command, vm)}
          tone={confirming.destructive ? 'danger' : 'primary'}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            setConfirming(null);
            run.mutate(confirming);
          }}
        >
          <p>{confirming.consequence}</p>
          {confirming.command === 'cont' && status ? (
            <p>
              QEMU stopped the VM in <code>{status.status}</code>: unless the cause was fixed, it stops again.
            </p>
          ) : null}
          <p>
            Command: <code>{confirming.command}</code> on <strong>{vm}</strong>.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
