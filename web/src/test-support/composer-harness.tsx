// The command composer mounted as in the app, over a fake QMP socket that answers the schema with QEMU
// 7.2's: for the composer's component tests.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { type ReactNode, StrictMode, useEffect, useState } from 'react';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { Json } from '../../../protocol/qmp.ts';
import { qmpClients } from '../api/qmp-clients.ts';
import { refreshQueriesOnReady } from '../api/qmp-query.ts';
import { ComposerPanel } from '../composer/composer-panel.tsx';
import { useComposerStore, useDraftStore } from '../composer/composer-store.ts';
import schemaJson from '../composer/fixtures/qemu-7.2-schema.json';
import { type FakeQmpSocket, fakeSocketFactory } from './fake-qmp-socket.ts';

const SCHEMA = schemaJson as unknown as Json;

export type Session = {
  role: 'operator' | 'viewer';
  auth: boolean;
  policy: { readOnly: boolean; deny: string[]; viewerAllow: string[] };
};

export function stubSession(session: Session | null) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      if (String(input) === '/api/session' && session) {
        return new Response(JSON.stringify(session), { headers: { 'content-type': 'application/json' } });
      }
      return new Response('not found', { status: 404, statusText: 'Not Found' });
    }),
  );
}

/** As in the app: a VM's queries refresh whenever its client becomes ready (the first time and after reconnects). */
function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 0 } } }),
  );
  useEffect(() => refreshQueriesOnReady(queryClient), [queryClient]);
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}

export function mount() {
  return render(
    <StrictMode>
      <Providers>
        <ComposerPanel vm="vm1" />
      </Providers>
    </StrictMode>,
  );
}

/** Renders the composer, connects it, and answers the schema request with QEMU 7.2's schema. */
export async function connectedComposer({ session = null as Session | null } = {}) {
  stubSession(session);
  const sockets = fakeSocketFactory();
  qmpClients.reset({ createSocket: sockets.create, urlFor: (vm) => `ws://console.test/qmp/${vm}` });
  const view = mount();
  await waitFor(() => expect(sockets.sockets).toHaveLength(1));
  const socket = sockets.last();
  await act(async () => socket.handshake());
  await waitFor(() => socket.lastSent('query-qmp-schema'));
  await act(async () => socket.reply('query-qmp-schema', SCHEMA));
  await screen.findByText(/Schema: 216 commands \(QEMU 7\.2\.22\)/);
  const user = userEvent.setup();
  const line = screen.getByRole('textbox', { name: 'QMP command' }) as HTMLTextAreaElement;
  return { ...view, socket, sockets, user, line };
}

export function sentCommands(socket: FakeQmpSocket) {
  const background = new Set([
    'qmp_capabilities',
    'query-qmp-schema',
    'qom-list-types',
    'device-list-properties',
  ]);
  return socket.sent.map((c) => c.execute).filter((c) => c !== undefined && !background.has(c));
}

export async function typeAndRun(
  user: ReturnType<typeof userEvent.setup>,
  line: HTMLTextAreaElement,
  text: string,
) {
  await user.click(line);
  await user.paste(text);
  await user.keyboard('{Escape}{Enter}');
}

/** Each test starts with no history, no drafts and no clients, and leaves none behind. */
export function composerLifecycle() {
  beforeEach(() => {
    localStorage.clear();
    useComposerStore.setState({ vms: {} });
    useDraftStore.setState({ drafts: {} });
  });
  afterEach(() => {
    cleanup();
    qmpClients.reset();
    vi.unstubAllGlobals();
  });
}

export { SCHEMA };
