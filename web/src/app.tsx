// The app: data providers, the page frame and the routes (qemu/routes.ts; deep links work because the
// proxy serves index.html for every non-API path).
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';
import { Link, Route, Switch, useRoute } from 'wouter';
import type { PageSnapshot } from '../../protocol/api.ts';
import { LazyAlerts } from './alerts/lazy-alerts.tsx';
import { useConsoleStream } from './api/console-stream.ts';
import { seedFromPageSnapshot } from './api/page-snapshot.ts';
import { refreshQueriesOnReady } from './api/qmp-query.ts';
import { vmsQueryOptions } from './api/vms.ts';
import { LazyAudit } from './audit/lazy-audit.tsx';
import { AlertWatcher } from './events/alert-watcher.tsx';
import { LazyEventLog } from './events/lazy-event-log.tsx';
import { HeaderNav } from './header-nav.tsx';
import { LazyVmRoute, preloadVmRoute } from './pages/lazy-vm-route.tsx';
import { alertIdParam, homePath, ROUTE_PATTERNS, vmNameParam, vmPath } from './qemu/routes.ts';
import { ScreenThumbnail } from './screen/screen-thumbnail.tsx';
import { ConnectionIndicator, ConsoleConnectionIndicator } from './ui/connection-indicator.tsx';
import { ConsoleUnreachableBanner } from './ui/console-unreachable.tsx';
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

/**
 * What the page at `pathname` will ask for first, asked for before React renders: the console's VM list
 * (every page shows it; a VM's page paints its run state from it) and, on a VM's page, that page's
 * chunk. Both then arrive while the app's own code runs, not one after the other behind its first render.
 * The list is already there when the console put it in the page (`inPage`): no round trip at all.
 * Settles when the first render can paint without waiting for a chunk (a VM's page: once its chunk is in).
 */
export function startEarlyReads(
  queryClient: QueryClient,
  pathname: string,
  inPage: PageSnapshot | null = null,
): Promise<void> {
  if (inPage) seedFromPageSnapshot(queryClient, inPage);
  else void queryClient.prefetchQuery(vmsQueryOptions);
  return pathname.startsWith(vmPath('')) ? preloadVmRoute() : Promise.resolve();
}

/**
 * Query client, the app's one console stream feeding it, and the rule that a VM's QMP queries refresh
 * whenever its QMP client becomes ready.
 */
export function AppProviders({ queryClient, children }: { queryClient: QueryClient; children: ReactNode }) {
  useEffect(() => refreshQueriesOnReady(queryClient), [queryClient]);
  useConsoleStream(queryClient);
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}

export function AppRoutes() {
  const [onVmPage, params] = useRoute<{ name: string }>(ROUTE_PATTERNS.vm);
  return (
    <Layout
      status={
        <>
          <HeaderNav />
          {onVmPage ? <VmConnectionStatus vm={vmNameParam(params.name)} /> : null}
        </>
      }
    >
      <ConsoleUnreachableBanner />
      <Switch>
        <Route path={ROUTE_PATTERNS.home}>
          <VmListPage
            thumbnail={(vm) => <ScreenThumbnail vm={vm.name} connected={vm.state === 'connected'} />}
          />
        </Route>
        <Route path={ROUTE_PATTERNS.events}>
          <LazyEventLog />
        </Route>
        <Route<{ id?: string }> path={ROUTE_PATTERNS.alerts}>
          {(p) => <LazyAlerts focusId={p.id === undefined ? null : alertIdParam(p.id)} />}
        </Route>
        <Route path={ROUTE_PATTERNS.audit}>
          <LazyAudit />
        </Route>
        <Route<{ name: string }> path={ROUTE_PATTERNS.vm}>
          {(p) => <LazyVmRoute key={p.name} name={vmNameParam(p.name)} />}
        </Route>
        <Route>
          <NotFound />
        </Route>
      </Switch>
    </Layout>
  );
}

/**
 * The connection indicator, unless the console says it has no such VM (nothing to connect to). A VM's
 * event log needs no QMP connection of its own: there it shows the console's connection to the VM.
 */
function VmConnectionStatus({ vm }: { vm: string }) {
  const vms = useQuery(vmsQueryOptions);
  const [onEventLog] = useRoute(vmPath(vm, 'events'));
  const summary = vms.data?.find((v) => v.name === vm);
  if (vms.isSuccess && !summary) return null;
  if (onEventLog)
    return summary ? (
      <ConsoleConnectionIndicator vm={vm} state={summary.state} error={summary.error} />
    ) : null;
  return <ConnectionIndicator vm={vm} />;
}

function NotFound() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>
        Nothing lives here. <Link href={homePath()}>See all virtual machines</Link>.
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
