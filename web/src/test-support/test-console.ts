// Test support for the VM-info feature: a stubbed console API and a connected VM page over a fake socket.
import { act, waitFor } from '@testing-library/react';
import { expect, vi } from 'vitest';
import { CONSOLE_STREAM_PATH, type VmSummary } from '../../../protocol/api.ts';
import type { Json } from '../../../protocol/qmp.ts';
import { sourceAt, stubEventSources } from './fake-event-source.ts';
import type { FakeQmpSocket } from './fake-qmp-socket.ts';
import { renderApp } from './render-app.tsx';

/** An answer: a JSON body, an HTTP status to fail with, or a promise that never settles. */
export type ApiAnswer = Json | number | Promise<never>;

/**
 * Stubs `fetch` for the console's API: `/api/vms`, `/api/alerts...` and `/api/session`. Absent routes
 * answer 404, as a console without that API yet does.
 */
export function stubConsoleApi(routes: {
  vms: VmSummary[] | ApiAnswer;
  alerts?: ApiAnswer;
  session?: ApiAnswer;
}) {
  const calls: string[] = [];
  const sources = stubEventSources();
  const answer = async (a: ApiAnswer | VmSummary[] | undefined): Promise<Response> => {
    if (a === undefined) return new Response('not found', { status: 404, statusText: 'Not Found' });
    if (a instanceof Promise) return a;
    if (typeof a === 'number') return new Response('trouble', { status: a, statusText: 'Bad' });
    return new Response(JSON.stringify(a), { headers: { 'content-type': 'application/json' } });
  };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = String(input);
      calls.push(url);
      if (url === '/api/vms') return answer(routes.vms);
      if (url.startsWith('/api/alerts')) return answer(routes.alerts);
      if (url === '/api/session') return answer(routes.session);
      return answer(undefined);
    }),
  );
  /** The app's console stream (`/api/stream`), once it has opened. */
  const consoleStream = () => waitFor(() => sourceAt(sources, CONSOLE_STREAM_PATH));
  return { calls, routes, consoleStream };
}

/** The VM's summary with the run state the console keeps for it. */
export function withRunState(vm: VmSummary, status: string): VmSummary {
  const running = status === 'running';
  return { ...vm, runState: { status, running, reason: null, since: '2026-11-26T13:00:00.000Z' } };
}

/** QEMU 7.2's commands that the panels use (no `query-hpet`: it is long gone). */
export const QEMU_72_COMMANDS = [
  'query-status',
  'query-commands',
  'query-name',
  'query-uuid',
  'query-version',
  'query-kvm',
  'query-target',
  'query-machines',
  'query-balloon',
  'query-block',
  'query-blockstats',
  'query-cpus-fast',
  'query-memory-size-summary',
  'query-chardev',
  'query-pci',
  'query-vnc',
  'query-spice',
  'qom-list',
  'qom-get',
  'stop',
  'cont',
  'system_reset',
  'system_powerdown',
  'quit',
];

export function commandList(except: string[] = [], extra: string[] = []): Json {
  return [...QEMU_72_COMMANDS.filter((c) => !except.includes(c)), ...extra].map((name) => ({ name }));
}

/** Waits until the page has sent `command`, then answers it. */
export async function answer(socket: FakeQmpSocket, command: string, value: unknown = {}): Promise<void> {
  await waitFor(() => socket.lastSent(command));
  await act(async () => socket.reply(command, value as Json));
}

export async function answerError(socket: FakeQmpSocket, command: string, cls: string, desc: string) {
  await waitFor(() => socket.lastSent(command));
  await act(async () => socket.replyError(command, cls, desc));
}

export function sentCount(socket: FakeQmpSocket, command: string): number {
  return socket.sent.filter((c) => c.execute === command).length;
}

/** Renders `path` (a VM page of `vm`) and brings the VM's QMP connection up. */
export async function connectedAt(path: string, vm = 'vm1') {
  const app = renderApp(path);
  await waitFor(() => expect(app.sockets.sockets.some((s) => s.url.endsWith(`/qmp/${vm}`))).toBe(true));
  const socket = app.sockets.sockets.find((s) => s.url.endsWith(`/qmp/${vm}`))!;
  await act(async () => socket.handshake());
  return { ...app, socket };
}
