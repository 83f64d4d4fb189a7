import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchJson } from '../api/http.ts';
import { TokenGate } from './token-gate.tsx';

function renderGate(status: number) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(JSON.stringify({ error: 'token', code: 'token-required' }), { status })),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <TokenGate>
        <p>the console</p>
      </TokenGate>
    </QueryClientProvider>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('TokenGate', () => {
  it('explains how to get in when the console answers 401', async () => {
    renderGate(401);
    expect(await screen.findByRole('heading', { name: 'This console needs its token' })).toBeTruthy();
    expect(screen.getByLabelText('Access token')).toBeTruthy();
    expect(screen.queryByText('the console')).toBeNull();
    // In the app's frame, like every other page: a main landmark, the header and its padding.
    expect(screen.getByRole('main').contains(screen.getByLabelText('Access token'))).toBe(true);
  });

  it('shows the console when the session API is absent (404)', async () => {
    renderGate(404);
    expect(await screen.findByText('the console')).toBeTruthy();
  });
});

function Vms() {
  const vms = useQuery({ queryKey: ['vms'], queryFn: () => fetchJson<unknown[]>('/api/vms') });
  return <p>{vms.isError ? 'the console, with an error' : 'the console'}</p>;
}

describe('TokenGate after the console restarts with a new token', () => {
  it('shows the token page when another request is refused (401), not stale data and errors', async () => {
    let tokenValid = true;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        if (tokenValid && url === '/api/session')
          return new Response(JSON.stringify({ role: 'operator', policy: {} }), { status: 200 });
        if (tokenValid) return new Response('[]', { status: 200 });
        return new Response(JSON.stringify({ error: 'token', code: 'token-required' }), { status: 401 });
      }),
    );
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <TokenGate>
          <Vms />
        </TokenGate>
      </QueryClientProvider>,
    );
    expect(await screen.findByText('the console')).toBeTruthy();
    // The console restarts: its new random token no longer matches this browser's cookie.
    tokenValid = false;
    await act(() => client.refetchQueries({ queryKey: ['vms'] }));
    expect(await screen.findByRole('heading', { name: 'This console needs its token' })).toBeTruthy();
  });
});
