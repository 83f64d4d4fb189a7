// Pause, Resume, Reset, Power down, Quit; the destructive ones ask first, naming the VM.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useQmpClient } from '../api/qmp-clients.ts';
import { QueryError } from '../ui/query-error.tsx';
import { useRefusal } from './capabilities.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { formatClock } from './format.ts';
import { vmInfoKeys } from './queries.ts';
import type { StatusInfo } from './run-state.ts';

export interface RunAction {
  command: 'stop' | 'cont' | 'system_reset' | 'system_powerdown' | 'quit';
  label: string;
  /** Destructive: confirmed first. What happens, in a sentence. */
  warning?: string;
}

export const RUN_ACTIONS: readonly RunAction[] = [
  { command: 'stop', label: 'Pause' },
  { command: 'cont', label: 'Resume' },
  {
    command: 'system_reset',
    label: 'Reset',
    warning:
      'The guest restarts at once, as if its reset button were pressed; what it has not written to disk is lost.',
  },
  {
    command: 'system_powerdown',
    label: 'Power down',
    warning: 'QEMU presses the ACPI power button; the guest decides whether and how to shut down.',
  },
  {
    command: 'quit',
    label: 'Quit',
    warning:
      'QEMU exits at once: the guest stops without shutting down, and the VM is gone until someone starts QEMU again.',
  },
];

/** Why an action makes no sense in the current run state, or null. */
export function pointless(action: RunAction, status: StatusInfo | undefined): string | null {
  if (!status) return null;
  if (action.command === 'stop' && !status.running) return 'The VM is not running.';
  if (action.command === 'cont' && status.running) return 'The VM is already running.';
  return null;
}

export function RunControls({ vm, status }: { vm: string; status: StatusInfo | undefined }) {
  const { client, state } = useQmpClient(vm);
  const queryClient = useQueryClient();
  const refusal = useRefusal();
  const [confirming, setConfirming] = useState<RunAction | null>(null);
  const [done, setDone] = useState<{ action: RunAction; at: number } | null>(null);
  const run = useMutation({
    mutationFn: (action: RunAction) => client.execute(action.command),
    onMutate: () => setDone(null),
    onSuccess: (_data, action) => setDone({ action, at: Date.now() }),
    // Events refresh the run state as well; this covers a command that changes it without one.
    // Not awaited: the controls come back as soon as QEMU has answered the command itself.
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: vmInfoKeys.status(vm) });
    },
  });
  const connected = state === 'ready';
  const refusedCount = RUN_ACTIONS.filter((a) => refusal(a.command) !== null).length;

  const start = (action: RunAction) => {
    if (action.warning) setConfirming(action);
    else run.mutate(action);
  };

  return (
    <div className="run-controls">
      <fieldset className="button-row">
        <legend className="visually-hidden">Run-state controls</legend>
        {RUN_ACTIONS.map((action) => {
          const why = refusal(action.command) ?? pointless(action, status);
          return (
            <button
              key={action.command}
              type="button"
              className={action.warning ? 'danger-outline' : undefined}
              disabled={!connected || run.isPending || why !== null}
              title={why ?? `Runs ${action.command}`}
              onClick={() => start(action)}
            >
              {action.label}
              {action.warning ? '…' : null}
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
          {done.action.command} sent at{' '}
          <time dateTime={new Date(done.at).toISOString()}>{formatClock(done.at)}</time>.
        </p>
      ) : null}
      <ConfirmDialog
        open={confirming !== null}
        title={confirming ? `${confirming.label} ${vm}?` : ''}
        confirmLabel={confirming ? `${confirming.label} ${vm}` : ''}
        onCancel={() => setConfirming(null)}
        onConfirm={() => {
          const action = confirming;
          setConfirming(null);
          if (action) run.mutate(action);
        }}
      >
        <p>{confirming?.warning}</p>
        <p>
          Command: <code>{confirming?.command}</code> on <strong>{vm}</strong>.
        </p>
      </ConfirmDialog>
    </div>
  );
}
