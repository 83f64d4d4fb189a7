// `/vms/:name` and `/vms/:name/PANEL`: one VM over its own QMP connection: its status and controls
// on every page, then the chosen panel.
import { useQuery } from '@tanstack/react-query';
import { lazy, type ReactNode, Suspense } from 'react';
import { Link } from 'wouter';
import type { VmSummary } from '../../../protocol/api.ts';
import { formatQemuVersion } from '../../../protocol/qmp.ts';
import { useConsoleUnreachableSince } from '../api/console-stream.ts';
import { useEventInvalidation } from '../api/events-to-queries.ts';
import { useQmpClient } from '../api/qmp-clients.ts';
import { homePath } from '../qemu/routes.ts';
import { usePageTitle } from '../ui/use-page-title.ts';
import { BlockPanel } from './block-panel.tsx';
import { ChardevPanel } from './chardev-panel.tsx';
import { CpusPanel } from './cpus-panel.tsx';
import { DisplayPanel } from './display-panel.tsx';
import { MemoryPanel } from './memory-panel.tsx';
import { OverviewPanel } from './overview-panel.tsx';
import { VM_INFO_PANELS, type VmInfoPanelId, vmInfoPath } from './panels.ts';
import { vmInfoQueries } from './queries.ts';
import { StatusPanel } from './status-panel.tsx';
import './vm-info.css';

// The two biggest panels load when first shown, keeping the first page small.
const PciPanel = lazy(() => import('./pci-panel.tsx').then((m) => ({ default: m.PciPanel })));
const QomPanel = lazy(() => import('./qom-panel.tsx').then((m) => ({ default: m.QomPanel })));

/** What other features show under a panel (the screen under Display, charts under Block devices). */
export type PanelExtras = Partial<Record<VmInfoPanelId, (vm: string, connected: boolean) => ReactNode>>;

export function VmPage({
  name,
  panel = 'overview',
  extras,
}: {
  name: string;
  panel?: VmInfoPanelId;
  extras?: PanelExtras;
}) {
  const vms = useQuery(vmInfoQueries.list());
  const summary = vms.data?.find((vm) => vm.name === name);
  if (vms.isSuccess && !summary) {
    return (
      <section className="page" aria-labelledby="vm-heading">
        <h1 id="vm-heading">{name}</h1>
        <div role="alert" className="notice notice-error">
          <p>The console has no VM named “{name}”.</p>
        </div>
        <p>
          <Link href={homePath()}>All virtual machines</Link>
        </p>
      </section>
    );
  }
  return <VmSession name={name} summary={summary} panel={panel} extras={extras} />;
}

function VmSession({
  name,
  summary,
  panel,
  extras,
}: {
  name: string;
  summary: VmSummary | undefined;
  panel: VmInfoPanelId;
  extras: PanelExtras | undefined;
}) {
  const { version, state, error } = useQmpClient(name);
  useEventInvalidation(name);
  const label = VM_INFO_PANELS.find((p) => p.id === panel)?.label ?? '';
  usePageTitle(panel === 'overview' ? name : `${label} · ${name}`);
  const shownVersion = version ?? summary?.version ?? null;
  const connected = state === 'ready';
  const consoleDown = useConsoleUnreachableSince();
  return (
    <section className="page" aria-labelledby="vm-heading">
      <header className="vm-header">
        <h1 id="vm-heading">{name}</h1>
        <p className="vm-meta">
          <span>{shownVersion ? `QEMU ${formatQemuVersion(shownVersion)}` : 'QEMU version unknown'}</span>
          {summary ? <code>{summary.address}</code> : null}
        </p>
      </header>
      {state === 'closed' && error ? (
        <div role="alert" className="notice notice-error">
          <p>Disconnected: {error}. Reload the page to try again.</p>
        </div>
      ) : null}
      {/* While the console itself is unreachable, the app-wide banner says so: the VM is not to blame. */}
      {state === 'reconnecting' && error && consoleDown === null ? (
        <p className="notice notice-warn">Reconnecting… {error}</p>
      ) : null}
      <StatusPanel vm={name} blockHref={vmInfoPath(name, 'block')} compact={panel !== 'overview'} />
      <Suspense fallback={<p className="muted">Loading the {label} panel…</p>}>
        {renderPanel(panel, name, connected, shownVersion)}
        {extras?.[panel]?.(name, connected)}
      </Suspense>
    </section>
  );
}

function renderPanel(
  panel: VmInfoPanelId,
  vm: string,
  connected: boolean,
  version: VmSummary['version'],
): ReactNode {
  switch (panel) {
    case 'overview':
      return <OverviewPanel vm={vm} connected={connected} version={version} />;
    case 'block':
      return <BlockPanel vm={vm} connected={connected} />;
    case 'cpus':
      return <CpusPanel vm={vm} connected={connected} />;
    case 'memory':
      return <MemoryPanel vm={vm} connected={connected} />;
    case 'chardev':
      return <ChardevPanel vm={vm} connected={connected} />;
    case 'pci':
      return <PciPanel vm={vm} connected={connected} />;
    case 'display':
      return <DisplayPanel vm={vm} connected={connected} />;
    case 'qom':
      return <QomPanel vm={vm} connected={connected} />;
  }
}
