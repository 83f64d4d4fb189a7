// Renders the whole app at a path, with a fresh query client and fake QMP sockets.
import { QueryClient } from '@tanstack/react-query';
import { cleanup, render } from '@testing-library/react';
import { StrictMode } from 'react';
import { vi } from 'vitest';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import type { VmSummary } from '../../../protocol/api.ts';
import { qmpClients } from '../api/qmp-clients.ts';
import { AppProviders, AppRoutes } from '../app.tsx';
import { fakeSocketFactory } from './fake-qmp-socket.ts';

export function testQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 0 } } });
}

export function renderApp(path: string) {
  const sockets = fakeSocketFactory();
  qmpClients.reset({ createSocket: sockets.create, urlFor: (vm) => `ws://console.test/qmp/${vm}` });
  const queryClient = testQueryClient();
  const location = memoryLocation({ path, record: true });
  // StrictMode, as in main.tsx: effects run twice, so retain/release and subscriptions must be balanced.
  const view = render(
    <StrictMode>
      <AppProviders queryClient={queryClient}>
        <Router hook={location.hook}>
          <AppRoutes />
        </Router>
      </AppProviders>
    </StrictMode>,
  );
  return { ...view, sockets, queryClient, location };
}

/** Tears down what `renderApp` and `stubVmsApi` set up. */
export function cleanupApp(): void {
  cleanup();
  qmpClients.reset();
  vi.unstubAllGlobals();
}

export const VM1: VmSummary = {
  name: 'vm1',
  address: 'unix:/run/qmp-console/vm1.sock',
  state: 'connected',
  version: { qemu: { major: 7, minor: 2, micro: 22 }, package: 'Debian 1:7.2+dfsg-7+deb12u18+b3' },
  since: '2026-11-26T13:00:00.000Z',
  error: null,
  runState: { status: 'running', running: true, reason: null, since: '2026-11-26T13:00:00.000Z' },
};

export const VM2_DOWN: VmSummary = {
  name: 'vm2',
  address: 'tcp:127.0.0.1:4444',
  state: 'disconnected',
  version: null,
  since: '2026-11-26T13:01:00.000Z',
  error: 'connect ECONNREFUSED 127.0.0.1:4444',
  runState: null,
};

/**
 * Stubs `fetch` for `GET /api/vms`: each call takes the next answer (the last one repeats). An answer
 * is a VM list, an HTTP status to fail with, or a promise (to hold the request pending).
 */
export function stubVmsApi(...answers: Array<VmSummary[] | number | Promise<never>>) {
  const calls: string[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const url = String(input);
    calls.push(url);
    if (url !== '/api/vms') return new Response('not found', { status: 404, statusText: 'Not Found' });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (answer instanceof Promise) return answer;
    if (typeof answer === 'number')
      return new Response('upstream trouble', { status: answer, statusText: 'Bad' });
    return new Response(JSON.stringify(answer ?? []), { headers: { 'content-type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { fetchMock, calls };
}
