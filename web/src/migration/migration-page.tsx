// `/vms/NAME/migration`: the VM's outgoing migration from `query-migrate`: status, RAM sent, what is left,
// how fast pages get dirty, throughput, expected downtime and passes; setup time and downtime once it is
// done. MIGRATION and MIGRATION_PASS events refresh it, and while it is under way it is polled once a
// second. The composer starts a migration (prefilled from here); this page can cancel one.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'wouter';
import { useEventInvalidation } from '../api/events-to-queries.ts';
import { useQmpClient } from '../api/qmp-clients.ts';
import { qmpQueryKey, qmpQueryOptions } from '../api/qmp-query.ts';
import { sessionQueryOptions } from '../api/session.ts';
import {
  type MigrationInfo,
  migrateCommandLine,
  migrationCancelConfirmation,
  migrationUnderWay,
} from '../qemu/migration.ts';
import { refusalSentence } from '../qemu/refusal.ts';
import { composerPath } from '../qemu/routes.ts';
import { ConfirmDialog } from '../ui/confirm-dialog.tsx';
import { ProgressBar } from '../ui/progress-bar.tsx';
import { errorMessage, QueryError } from '../ui/query-error.tsx';
import { formatBytes, formatDuration } from '../ui/units.ts';
import { usePageTitle } from '../ui/use-page-title.ts';
import './migration.css';

/** How often a migration under way is asked for. */
export const MIGRATION_POLL_MS = 1000;

export function migrationQueryOptions(vm: string) {
  return {
    ...qmpQueryOptions<MigrationInfo>(vm, 'query-migrate'),
    refetchInterval: (q: { state: { data?: MigrationInfo } }) =>
      migrationUnderWay(q.state.data?.status) ? MIGRATION_POLL_MS : false,
  };
}

export function MigrationPage({ vm }: { vm: string }) {
  usePageTitle(`Migration · ${vm}`);
  const ids = useId();
  const { state } = useQmpClient(vm);
  useEventInvalidation(vm);
  const migration = useQuery(migrationQueryOptions(vm));
  const info = migration.data;
  return (
    <section className="page migration-page" aria-labelledby={`${ids}-h`}>
      <h1 id={`${ids}-h`}>Migration of {vm}</h1>
      <section className="panel" aria-labelledby={`${ids}-now`}>
        <h2 id={`${ids}-now`}>Outgoing migration</h2>
        {state !== 'ready' ? <p className="muted">Not connected to {vm}.</p> : null}
        {migration.isError ? (
          <QueryError
            what="query-migrate failed"
            error={migration.error}
            onRetry={() => void migration.refetch()}
          />
        ) : null}
        {info && !info.status ? <p>No migration has run on {vm} since QEMU started.</p> : null}
        {info?.status ? <MigrationFigures vm={vm} info={info} /> : null}
      </section>
      <StartMigration vm={vm} />
    </section>
  );
}

function MigrationFigures({ vm, info }: { vm: string; info: MigrationInfo }) {
  const ram = info.ram;
  const underWay = migrationUnderWay(info.status);
  const sent = ram ? ram.total - ram.remaining : 0;
  const figures: { label: string; value: string }[] = [];
  if (ram) {
    figures.push(
      { label: 'RAM transferred', value: formatBytes(ram.transferred) },
      { label: 'Remaining', value: formatBytes(ram.remaining) },
      { label: 'Total RAM', value: formatBytes(ram.total) },
      {
        label: 'Dirty pages rate',
        value: `${ram['dirty-pages-rate'].toLocaleString('en-US')} pages/s (${formatBytes(ram['dirty-pages-rate'] * ram['page-size'])}/s)`,
      },
      { label: 'Throughput', value: `${ram.mbps.toFixed(1)} Mbit/s` },
      { label: 'Passes', value: String(ram['dirty-sync-count']) },
    );
  }
  if (info['expected-downtime'] !== undefined)
    figures.push({ label: 'Expected downtime', value: `${info['expected-downtime']} ms` });
  if (info['setup-time'] !== undefined)
    figures.push({ label: 'Setup time', value: `${info['setup-time']} ms` });
  if (info.downtime !== undefined) figures.push({ label: 'Downtime', value: `${info.downtime} ms` });
  if (info['total-time'] !== undefined)
    figures.push({ label: underWay ? 'Elapsed' : 'Total time', value: formatDuration(info['total-time']) });
  return (
    <>
      <p className="migration-status">
        Status:{' '}
        <span className="badge" data-migration-status={info.status}>
          {info.status}
        </span>
      </p>
      {info['error-desc'] ? (
        <div role="alert" className="notice notice-error">
          <p>The migration failed: {info['error-desc']}</p>
        </div>
      ) : null}
      {ram ? (
        <ProgressBar
          label={`Migration of ${vm}`}
          done={info.status === 'completed' ? ram.total : sent}
          total={ram.total}
          detail={`${formatBytes(sent)} of ${formatBytes(ram.total)} RAM sent, ${formatBytes(ram.remaining)} remaining`}
          tone={info.status === 'failed' || info.status === 'cancelled' ? 'error' : 'normal'}
        />
      ) : null}
      <dl className="facts compact migration-figures">
        {figures.map((f) => (
          <div key={f.label}>
            <dt>{f.label}</dt>
            <dd>{f.value}</dd>
          </div>
        ))}
      </dl>
      {underWay ? <CancelMigration vm={vm} /> : null}
    </>
  );
}

function CancelMigration({ vm }: { vm: string }) {
  const { client, state } = useQmpClient(vm);
  const queryClient = useQueryClient();
  const session = useQuery(sessionQueryOptions).data;
  const [asking, setAsking] = useState(false);
  const confirm = migrationCancelConfirmation(vm);
  const refused = refusalSentence(session, confirm.command);
  const cancel = useMutation({
    mutationFn: () => client.execute(confirm.command),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: qmpQueryKey(vm, 'query-migrate') }),
  });
  return (
    <div className="button-row">
      <button
        type="button"
        className="danger-outline"
        disabled={state !== 'ready' || cancel.isPending || refused !== null}
        title={refused ?? `Runs ${confirm.command}`}
        onClick={() => setAsking(true)}
      >
        Cancel migration…
      </button>
      {cancel.isError ? (
        <p role="alert" className="notice notice-error small">
          {confirm.command} failed: {errorMessage(cancel.error)}
        </p>
      ) : null}
      {asking ? (
        <ConfirmDialog
          title={confirm.title}
          confirmLabel={confirm.confirmLabel}
          onCancel={() => setAsking(false)}
          onConfirm={() => {
            setAsking(false);
            cancel.mutate();
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

function StartMigration({ vm }: { vm: string }) {
  const ids = useId();
  const [uri, setUri] = useState('unix:/run/qemu/migrate.sock');
  return (
    <section className="panel" aria-labelledby={`${ids}-h`}>
      <h2 id={`${ids}-h`}>Start a migration</h2>
      <p className="muted small">
        Start the destination QEMU with the same devices and <code>-incoming URI</code>, then run{' '}
        <code>migrate</code> in the composer. Turn on the <code>events</code> capability (
        <code>migrate-set-capabilities</code>) for MIGRATION events;{' '}
        <code>migrate-set-parameters max-bandwidth=N</code> caps the rate.
      </p>
      <div className="migrate-start">
        <label htmlFor={`${ids}-uri`}>Destination URI</label>
        <input
          id={`${ids}-uri`}
          type="text"
          size={40}
          spellCheck={false}
          value={uri}
          onChange={(e) => setUri(e.currentTarget.value)}
        />
        <Link href={composerPath(vm, migrateCommandLine(uri.trim()))}>Open migrate in the composer</Link>
      </div>
    </section>
  );
}
