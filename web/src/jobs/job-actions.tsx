// A job's buttons, by its status: pause, resume, complete, finalize, cancel, dismiss. Those that cannot be
// undone ask first, naming the VM and the job; what the console would refuse this browser is greyed.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useQmpClient } from '../api/qmp-clients.ts';
import { qmpQueryKey } from '../api/qmp-query.ts';
import { sessionQueryOptions } from '../api/session.ts';
import { JOB_ACTIONS, type JobAction, type JobStatus, jobActionsFor, jobConfirmation } from '../qemu/jobs.ts';
import { refusalSentence } from '../qemu/refusal.ts';
import { ConfirmDialog } from '../ui/confirm-dialog.tsx';
import { errorMessage } from '../ui/query-error.tsx';

export function JobActions({ vm, jobId, status }: { vm: string; jobId: string; status: JobStatus }) {
  const { client, state } = useQmpClient(vm);
  const queryClient = useQueryClient();
  const session = useQuery(sessionQueryOptions).data;
  const [asking, setAsking] = useState<JobAction | null>(null);
  const run = useMutation({
    mutationFn: (action: JobAction) => client.execute(JOB_ACTIONS[action].command, { id: jobId }),
    // The job's events refresh the list too; this covers a verb that changes nothing QEMU announces.
    onSettled: () => {
      for (const command of ['query-jobs', 'query-block-jobs'])
        void queryClient.invalidateQueries({ queryKey: qmpQueryKey(vm, command) });
    },
  });
  const actions = jobActionsFor(status);
  if (actions.length === 0) return <span className="muted">—</span>;
  const confirm = asking ? jobConfirmation(vm, jobId, asking) : null;
  return (
    <div className="job-actions">
      {actions.map((action) => {
        const facts = JOB_ACTIONS[action];
        const refused = refusalSentence(session, facts.command);
        return (
          <button
            key={action}
            type="button"
            className={facts.consequence ? 'danger-outline' : undefined}
            aria-label={`${facts.label} job ${jobId}`}
            disabled={state !== 'ready' || run.isPending || refused !== null}
            title={refused ?? `Runs ${facts.command}`}
            onClick={() => (facts.consequence ? setAsking(action) : run.mutate(action))}
          >
            {facts.label}
            {facts.consequence ? '…' : null}
          </button>
        );
      })}
      {run.isError && run.variables ? (
        <p role="alert" className="notice notice-error small">
          {JOB_ACTIONS[run.variables].command} {jobId} failed: {errorMessage(run.error)}
        </p>
      ) : null}
      {asking && confirm ? (
        <ConfirmDialog
          title={confirm.title}
          confirmLabel={confirm.confirmLabel}
          onCancel={() => setAsking(null)}
          onConfirm={() => {
            setAsking(null);
            run.mutate(asking);
          }}
        >
          <p>{confirm.consequence}</p>
          <p>
            Command: <code>{confirm.command}</code> on <strong>{vm}</strong>.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
