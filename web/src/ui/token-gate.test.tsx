import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

afterEach(() => vi.unstubAllGlobals());

describe('TokenGate', () => {
  it('explains how to get in when the console answers 401', async () => {
    renderGate(401);
    expect(await screen.findByRole('heading', { name: 'This console needs its token' })).toBeTruthy();
    expect(screen.getByLabelText('Access token')).toBeTruthy();
    expect(screen.queryByText('the console')).toBeNull();
  });

  it('shows the console when the session API is absent (404)', async () => {
    renderGate(404);
    expect(await screen.findByText('the console')).toBeTruthy();
  });
});
