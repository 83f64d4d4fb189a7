// `/vms/:name/*`: composes the features for one VM. Features never import each other; pages do.
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, Route, Switch, useLocation, useRoute } from 'wouter';
import { vmsQueryOptions } from '../api/vms.ts';
import { LazyComposer } from '../composer/lazy-composer.tsx';
import { AlertBanner } from '../events/alert-banner.tsx';
import { LazyEventLog } from '../events/lazy-event-log.tsx';
import { LazyBlockCharts } from '../graphs/lazy-graphs.tsx';
import { IoSparklines } from '../graphs/sparklines.tsx';
import { JobStrip } from '../jobs/job-strip.tsx';
import { LazyJobsPage } from '../jobs/lazy-jobs.tsx';
import { LazyMigrationPage } from '../migration/lazy-migration.tsx';
import { LazyNetwork } from '../network/lazy-network.tsx';
import { type VmSection, vmPath } from '../qemu/routes.ts';
import { LiveScreen } from '../screen/live-screen.tsx';
import { LazySerial } from '../serial/lazy-serial.tsx';
import { VM_INFO_PANELS } from '../vm-info/panels.ts';
import { type PanelExtras, VmPage } from '../vm-info/vm-page.tsx';

/** Other features' views under VM-info panels. */
const panelExtras: PanelExtras = {
  display: (vm) => <LiveScreen vm={vm} />,
  block: (vm) => <LazyBlockCharts vm={vm} />,
  overview: (vm) => <IoSparklines vm={vm} />,
};

/** The VM's sections, each with a deep link. Features add theirs here. */
const sections: { path: VmSection; label: string; render: (vm: string) => ReactNode }[] = [
  // VM info: Overview at /vms/NAME, each other panel at /vms/NAME/PANEL (block, cpus, ..., qom).
  ...VM_INFO_PANELS.map((p) => ({
    path: p.path,
    label: p.label,
    render: (vm: string) => <VmPage key={vm} name={vm} panel={p.id} extras={panelExtras} />,
  })),
  { path: 'events', label: "This VM's events", render: (vm) => <LazyEventLog key={vm} vm={vm} /> },
  { path: 'composer', label: 'Composer', render: (vm) => <LazyComposer key={vm} vm={vm} /> },
  { path: 'jobs', label: 'Jobs', render: (vm) => <LazyJobsPage key={vm} vm={vm} /> },
  { path: 'migration', label: 'Migration', render: (vm) => <LazyMigrationPage key={vm} vm={vm} /> },
  { path: 'serial', label: 'Serial', render: (vm) => <LazySerial key={vm} vm={vm} /> },
  { path: 'network', label: 'Network', render: (vm) => <LazyNetwork key={vm} vm={vm} /> },
];

export function VmRoute({ name }: { name: string }) {
  return (
    <>
      <VmSwitcher current={name} />
      {sections.length > 1 ? (
        <nav className="vm-sections" aria-label={`${name} sections`}>
          {sections.map((s) => (
            <SectionLink key={s.path} href={vmPath(name, s.path)} label={s.label} />
          ))}
        </nav>
      ) : null}
      <AlertBanner vm={name} />
      <JobStrip vm={name} />
      <Switch>
        {sections.map((s) => (
          <Route key={s.path} path={vmPath(name, s.path)}>
            {s.render(name)}
          </Route>
        ))}
        <Route>
          <section className="page" aria-labelledby="vm-section-missing">
            <h1 id="vm-section-missing">Page not found</h1>
            <p>
              {name} has no such page. <Link href={vmPath(name)}>{name} overview</Link>
            </p>
          </section>
        </Route>
      </Switch>
    </>
  );
}

function SectionLink({ href, label }: { href: string; label: string }) {
  const [active] = useRoute(href);
  return (
    <Link href={href} aria-current={active ? 'page' : undefined}>
      {label}
    </Link>
  );
}

/** Another VM, on the same section: the console's list of VMs, no QMP round trip. */
function VmSwitcher({ current }: { current: string }) {
  const vms = useQuery(vmsQueryOptions).data;
  const [location, navigate] = useLocation();
  if (!vms || vms.length < 2) return null;
  const section = location.slice(vmPath(current).length).replace(/^\//, '') as VmSection | '';
  return (
    <label className="vm-switcher">
      Switch VM{' '}
      <select
        value={current}
        onChange={(e) => navigate(section ? vmPath(e.target.value, section) : vmPath(e.target.value))}
      >
        {vms.map((v) => (
          <option key={v.name} value={v.name}>
            {v.name}
            {v.state === 'connected' ? '' : ` (${v.state})`}
          </option>
        ))}
      </select>
    </label>
  );
}
