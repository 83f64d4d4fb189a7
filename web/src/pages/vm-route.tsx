// `/vms/:name/*`: composes the features for one VM. Features never import each other; pages do.
import type { ReactNode } from 'react';
import { Link, Route, Switch, useRoute } from 'wouter';
import { VmPage } from '../vm-info/vm-page.tsx';

/** The VM's sections, each with a deep link. Features add theirs here. */
const sections: { path: string; label: string; render: (vm: string) => ReactNode }[] = [
  { path: '', label: 'Dashboard', render: (vm) => <VmPage key={vm} name={vm} /> },
];

export function vmSectionPath(vm: string, section = ''): string {
  return `/vms/${encodeURIComponent(vm)}${section ? `/${section}` : ''}`;
}

export function VmRoute({ name }: { name: string }) {
  return (
    <>
      {sections.length > 1 ? (
        <nav className="vm-sections" aria-label={`${name} sections`}>
          {sections.map((s) => (
            <SectionLink key={s.path} href={vmSectionPath(name, s.path)} label={s.label} />
          ))}
        </nav>
      ) : null}
      <Switch>
        {sections.map((s) => (
          <Route key={s.path} path={vmSectionPath(name, s.path)}>
            {s.render(name)}
          </Route>
        ))}
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
