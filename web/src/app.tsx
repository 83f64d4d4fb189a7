// The app: data providers, the page frame and the routes (`/` and `/vms/:name`; deep links work because
// the proxy serves index.html for every non-API path).
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';
import { Link, Route, Switch, useRoute } from 'wouter';
import { refreshQueriesOnReady } from './api/qmp-query.ts';
import { vmsQueryOptions } from './api/vms.ts';
import { AlertWatcher } from './events/alert-watcher.tsx';
import { EventsLink } from './events/events-link.tsx';
import { LazyEventLog } from './events/lazy-event-log.tsx';
import { VmRoute } from './pages/vm-route.tsx';
import { ConnectionIndicator } from './ui/connection-indicator.tsx';
import { Layout } from './ui/layout.tsx';
import { TokenGate } from './ui/token-gate.tsx';
import { VmListPage } from './vm-info/vm-list-page.tsx';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 1000, retry: 1 },
    },
  });
}

/** Query client plus the rule that a VM's queries refresh whenever its QMP client becomes ready. */
export function AppProviders({ queryClient, children }: { queryClient: QueryClient; children: ReactNode }) {
  useEffect(() => refreshQueriesOnReady(queryClient), [queryClient]);
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}

/**
 * The VM name in a `/vms/:name` path, decoded: route builders encode it (a fleet's `VM@HOST` becomes
 * `VM%40HOST`) and the router hands the segment over as it is in the URL.
 */
export function vmNameParam(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function AppRoutes() {
  const [onVmPage, params] = useRoute<{ name: string }>('/vms/:name/*?');
  return (
    <Layout
      status={
        <>
          <EventsLink />
          {onVmPage ? <VmConnectionStatus vm={vmNameParam(params.name)} /> : null}
        </>
      }
    >
      <Switch>
        <Route path="/">
          <VmListPage />
        </Route>
        <Route path="/events">
          <LazyEventLog />
        </Route>
        <Route<{ name: string }> path="/vms/:name/*?">
          {(p) => <VmRoute key={p.name} name={vmNameParam(p.name)} />}
        </Route>
        <Route>
          <NotFound />
        </Route>
      </Switch>
    </Layout>
  );
}

/** The connection indicator, unless the console says it has no such VM (nothing to connect to). */
function VmConnectionStatus({ vm }: { vm: string }) {
  const vms = useQuery(vmsQueryOptions);
  if (vms.isSuccess && !vms.data.some((v) => v.name === vm)) return null;
  return <ConnectionIndicator vm={vm} />;
}

function NotFound() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>
        Nothing lives here. <Link href="/">See all virtual machines</Link>.
      </p>
    </section>
  );
}

export function App({ queryClient }: { queryClient: QueryClient }) {
  return (
    <AppProviders queryClient={queryClient}>
      <TokenGate>
        <AlertWatcher />
        <AppRoutes />
      </TokenGate>
    </AppProviders>
  );
}
