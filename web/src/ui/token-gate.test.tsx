import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
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
  vi.restoreAllMocks();
});

describe('TokenGate', () => {
  it('explains how to get in when the console answers 401', async () => {
    renderGate(401);
    expect(await screen.findByRole('heading', { name: 'This console needs its token' })).toBeTruthy();
    expect(screen.getByLabelText('Access token or start link')).toBeTruthy();
    expect(screen.queryByText('the console')).toBeNull();
    // In the app's frame, like every other page: a main landmark, the header and its padding.
    expect(screen.getByRole('main').contains(screen.getByLabelText('Access token or start link'))).toBe(true);
  });

  it('checks the token in the app: a wrong one is said so on the page; a pasted start link is taken apart', async () => {
    const assign = vi.fn();
    vi.spyOn(window, 'location', 'get').mockReturnValue({
      href: 'http://console.test/vms/vm1',
      origin: 'http://console.test',
      pathname: '/vms/vm1',
      search: '',
      hash: '',
      assign,
    } as unknown as Location);
    const seen: (string | null)[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init?: RequestInit) => {
        const auth = new Headers(init?.headers).get('authorization');
        seen.push(auth);
        const ok = auth === 'Bearer right-token';
        return new Response(
          JSON.stringify(ok ? { role: 'operator' } : { error: 'token', code: 'token-required' }),
          {
            status: ok ? 200 : 401,
          },
        );
      }),
    );
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <TokenGate>
          <p>the console</p>
        </TokenGate>
      </QueryClientProvider>,
    );
    const input = await screen.findByLabelText('Access token or start link');
    const user = userEvent.setup();
    await user.type(input, 'wrong{Enter}');
    expect((await screen.findByRole('alert')).textContent).toMatch(/^That token is wrong for this console\./);
    expect(assign).not.toHaveBeenCalled();
    expect(screen.getByRole('heading', { name: 'This console needs its token' })).toBeTruthy();

    await user.clear(input);
    await user.click(input);
    await user.paste('http://127.0.0.1:8080/?token=right-token');
    await user.keyboard('{Enter}');
    await waitFor(() => expect(assign).toHaveBeenCalledWith('http://console.test/vms/vm1?token=right-token'));
    expect(seen.at(-1)).toBe('Bearer right-token');
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
