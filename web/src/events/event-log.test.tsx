import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StrictMode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import type { ConsoleStreamMessage } from '../../../protocol/api.ts';
import type { JournalAlert, JournalRecord } from '../../../protocol/journal.ts';
import { AppProviders } from '../app.tsx';
import { stubConsole } from '../test-support/fake-event-log-api.ts';
import {
  alert,
  type fakeEventSources,
  HEALTHY,
  record,
  sourceAt,
} from '../test-support/fake-event-source.ts';
import { cleanupApp, renderApp, testQueryClient, VM1 } from '../test-support/render-app.tsx';
import { withRunState } from '../test-support/test-console.ts';
import { AlertBanner } from './alert-banner.tsx';
import { AlertWatcher } from './alert-watcher.tsx';
import { logUiState } from './log-ui-store.ts';

const EIO = {
  device: 'bad0',
  'node-name': '#block163',
  operation: 'read',
  action: 'stop',
  nospace: false,
  reason: 'Input/output error',
};

const journal = (): JournalRecord[] => [
  record({
    seq: 1,
    event: 'CONSOLE_CONNECTED',
    source: 'console',
    data: { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: '' } },
  }),
  record({ seq: 2, event: 'RESUME' }),
  record({ seq: 3, event: 'BLOCK_IO_ERROR', data: EIO }),
  record({ seq: 4, event: 'STOP' }),
];

beforeEach(() => {
  // happy-dom lays nothing out: give the log's scroller a size, so the virtualizer shows rows.
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1000);
});
afterEach(() => {
  cleanupApp();
  vi.restoreAllMocks();
});

const streamFor = (sources: ReturnType<typeof fakeEventSources>, url: string) =>
  waitFor(() => sourceAt(sources, url));

describe('the event log', () => {
  it('reads history up to where the live stream starts, then adds live rows, newest at the bottom', async () => {
    const { api, sources } = stubConsole(journal());
    renderApp('/vms/vm1/events');
    expect(await screen.findByRole('heading', { level: 1, name: 'vm1 events' })).toBeTruthy();
    const es = await streamFor(sources, '/api/vms/vm1/events/stream');
    await act(async () => es.snapshot(4));
    const log = await screen.findByRole('region', { name: 'Event log of vm1' });
    await waitFor(() => expect(within(log).getAllByRole('listitem')).toHaveLength(4));
    expect(api.calls).toContain('GET /api/vms/vm1/events?order=desc&limit=1000&before=5');
    const items = within(log).getAllByRole('listitem');
    expect(items.map((i) => i.querySelector('.log-event')?.textContent)).toEqual([
      'CONSOLE_CONNECTED',
      'RESUME',
      'BLOCK_IO_ERROR',
      'STOP',
    ]);
    expect(items[0]!.dataset.severity).toBe('console');
    expect(items[2]!.dataset.severity).toBe('alert');
    expect(items[3]!.dataset.severity).toBe('state');
    expect(items[2]!.textContent).toContain(
      'bad0 (node #block163): read failed (Input/output error), VM stopped',
    );
    expect(items[2]!.querySelector('time')?.textContent).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.123456$/);
    expect(screen.getByText(/shown of/).textContent).toBe(
      '4 shown of 4 loaded events, back to the oldest in the journal',
    );

    // Live, and a replay overlapping it after a reconnect: each record once.
    await act(async () => {
      es.record(record({ seq: 5, event: 'RESUME' }));
      es.drop();
      es.snapshot(4);
      es.record(record({ seq: 5, event: 'RESUME' }));
      es.record(record({ seq: 6, event: 'BLOCK_IO_ERROR', data: EIO }));
    });
    await waitFor(() => expect(within(log).getAllByRole('listitem')).toHaveLength(6));

    // The full record on expand.
    const row = within(log).getAllByRole('listitem')[2]!;
    await userEvent.click(within(row).getByRole('button'));
    expect(within(row).getByRole('button').getAttribute('aria-expanded')).toBe('true');
    expect(JSON.parse(row.querySelector('pre')!.textContent!)).toEqual(journal()[2]);
  });

  it('keeps its filters in the URL, counts each name, and clears them with one click', async () => {
    const { sources } = stubConsole(journal());
    const { location } = renderApp('/events?event=BLOCK_IO_ERROR');
    const es = await streamFor(sources, '/api/events/stream');
    await act(async () => es.snapshot(4));
    const log = await screen.findByRole('region', { name: 'Event log' });
    await waitFor(() => expect(within(log).getAllByRole('listitem')).toHaveLength(1));
    expect(within(log).getByRole('listitem').textContent).toContain('BLOCK_IO_ERROR');
    expect(within(log).getByRole('listitem').textContent).toContain('vm1');

    // The filters' <search> landmark (testing-library does not know the element's role yet).
    const filters = document.querySelector<HTMLElement>('search[aria-label="Filter events"]')!;
    const errors = within(filters).getByRole('checkbox', { name: 'BLOCK_IO_ERROR 1' }) as HTMLInputElement;
    expect(errors.checked).toBe(true);
    await userEvent.click(within(filters).getByRole('checkbox', { name: 'STOP 1' }));
    expect(location.history?.at(-1)).toBe('/events?event=BLOCK_IO_ERROR&event=STOP');
    await waitFor(() => expect(within(log).getAllByRole('listitem')).toHaveLength(2));

    await userEvent.type(within(filters).getByRole('searchbox', { name: 'Text' }), 'bad0');
    await waitFor(() =>
      expect(location.history?.at(-1)).toBe('/events?event=BLOCK_IO_ERROR&event=STOP&q=bad0'),
    );
    await waitFor(() => expect(within(log).getAllByRole('listitem')).toHaveLength(1));
    expect(screen.getByRole('link', { name: 'Export NDJSON' }).getAttribute('href')).toBe(
      '/api/events?format=ndjson&order=asc&event=BLOCK_IO_ERROR&event=STOP',
    );

    await userEvent.click(within(filters).getByRole('button', { name: 'Clear filters' }));
    expect(location.history?.at(-1)).toBe('/events');
    await waitFor(() => expect(within(log).getAllByRole('listitem')).toHaveLength(4));
    expect(
      (within(filters).getByRole('button', { name: 'Clear filters' }) as HTMLButtonElement).disabled,
    ).toBe(true);
  });

  it('offers the VM filter on the all-VMs log, and a VM changes the journal it reads', async () => {
    const { sources, api } = stubConsole(journal());
    const { location } = renderApp('/events');
    await streamFor(sources, '/api/events/stream');
    const select = (await screen.findByRole('combobox', { name: 'VM' })) as HTMLSelectElement;
    await waitFor(() => expect(within(select).getByRole('option', { name: 'vm1' })).toBeTruthy());
    await userEvent.selectOptions(select, 'vm1');
    expect(location.history?.at(-1)).toBe('/events?vm=vm1');
    const es = await streamFor(sources, '/api/vms/vm1/events/stream');
    await act(async () => es.snapshot(4));
    await waitFor(() =>
      expect(api.calls).toContain('GET /api/vms/vm1/events?order=desc&limit=1000&before=5'),
    );
    expect(screen.getByRole('link', { name: 'Export NDJSON' }).getAttribute('href')).toBe(
      '/api/vms/vm1/events?format=ndjson&order=asc',
    );
  });

  it('stops following when the person scrolls up', async () => {
    const { sources } = stubConsole(journal());
    renderApp('/vms/vm1/events');
    const es = await streamFor(sources, '/api/vms/vm1/events/stream');
    await act(async () => es.snapshot(4));
    const log = await screen.findByRole('region', { name: 'Event log of vm1' });
    await waitFor(() => expect(within(log).getAllByRole('listitem')).toHaveLength(4));
    expect(logUiState().following).toBe(true);
    await act(async () => {
      log.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, bubbles: true }));
    });
    expect(logUiState()).toMatchObject({ following: false, seenSeq: 4 });
    await act(async () => {
      es.record(record({ seq: 5, event: 'RESUME' }));
      es.record(record({ seq: 6, event: 'STOP' }));
    });
    const more = await screen.findByRole('button', { name: '2 new events' });
    await userEvent.click(more);
    expect(logUiState().following).toBe(true);
    expect(screen.queryByRole('button', { name: /new event/ })).toBeNull();
  });
});

describe('alerts on the VM page', () => {
  it('names the disk, offers Resume VM when it paused the VM, asks first, and shows the outcome', async () => {
    const { sources } = stubConsole(journal(), [alert({ count: 3 })], [withRunState(VM1, 'running')]);
    const { sockets } = renderApp('/vms/vm1');
    const banner = await screen.findByRole('region', { name: 'Open alerts for vm1' });
    await waitFor(() =>
      expect(
        within(banner).getByText('vm1: disk bad0 (node #block163) — read failed, Input/output error'),
      ).toBeTruthy(),
    );
    expect(within(banner).getByText('3 times')).toBeTruthy();
    expect(within(banner).getByText('stop (VM stopped)')).toBeTruthy();
    expect(within(banner).queryByRole('button', { name: 'Resume VM' })).toBeNull();

    // The disk error stops the VM: the console stream says so, and the card offers its remedy.
    const stream = await streamFor(sources, '/api/stream');
    await act(async () => stream.message({ type: 'vm', vm: withRunState(VM1, 'io-error') }));
    const resume = await within(banner).findByRole('button', { name: 'Resume VM' });
    await waitFor(() => expect(sockets.sockets.length).toBeGreaterThan(0));
    const socket = sockets.last();
    await act(async () => socket.handshake());

    await userEvent.click(resume);
    const dialog = screen.getByRole('dialog', { name: 'Resume vm1?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Resume vm1' }));
    await waitFor(() => socket.lastSent('cont'));
    await act(async () => socket.reply('cont', {}));
    await waitFor(() =>
      expect(within(banner).getByRole('status').textContent).toBe(
        'vm1: QEMU accepted cont; waiting for the run state.',
      ),
    );
    expect(screen.queryByRole('dialog')).toBeNull();
    // The disk fails again at once: the alert counts it, and the card reports that outcome, not success.
    await act(async () => stream.message({ type: 'alert', alert: alert({ count: 4 }) }));
    await waitFor(() =>
      expect(within(banner).getByRole('status').textContent).toBe('vm1 stopped again — read error, count 4.'),
    );
    expect(within(banner).getByRole('status').getAttribute('data-ok')).toBe('false');
  });

  it('reports a resume that held: running', async () => {
    const { sources } = stubConsole(journal(), [alert({ count: 1 })], [withRunState(VM1, 'io-error')]);
    const { sockets } = renderApp('/vms/vm1');
    const banner = await screen.findByRole('region', { name: 'Open alerts for vm1' });
    await waitFor(() => expect(sockets.sockets.length).toBeGreaterThan(0));
    const socket = sockets.last();
    await act(async () => socket.handshake());
    const stream = await streamFor(sources, '/api/stream');
    await userEvent.click(await within(banner).findByRole('button', { name: 'Resume VM' }));
    await userEvent.click(screen.getByRole('button', { name: 'Resume vm1' }));
    await waitFor(() => socket.lastSent('cont'));
    await act(async () => socket.reply('cont', {}));
    await act(async () => stream.message({ type: 'vm', vm: withRunState(VM1, 'running') }));
    await waitFor(() => expect(within(banner).getByRole('status').textContent).toBe('vm1 resumed: running.'));
  });

  it('shows why cont failed', async () => {
    stubConsole(journal(), [alert()], [withRunState(VM1, 'io-error')]);
    const { sockets } = renderApp('/vms/vm1');
    const banner = await screen.findByRole('region', { name: 'Open alerts for vm1' });
    await waitFor(() => expect(sockets.sockets.length).toBeGreaterThan(0));
    const socket = sockets.last();
    await act(async () => socket.handshake());
    await userEvent.click(await within(banner).findByRole('button', { name: 'Resume VM' }));
    await userEvent.click(screen.getByRole('button', { name: 'Resume vm1' }));
    await waitFor(() => socket.lastSent('cont'));
    await act(async () =>
      socket.replyError('cont', 'GenericError', 'Resetting the Virtual Machine is required'),
    );
    await waitFor(() =>
      expect(within(banner).getByRole('status').textContent).toBe(
        'Could not resume vm1: GenericError: Resetting the Virtual Machine is required',
      ),
    );
  });

  it('for a viewer, turns Resume VM and Acknowledge off and says why (the console would refuse both)', async () => {
    const { api } = stubConsole(journal(), [alert({ id: 7 })], [withRunState(VM1, 'io-error')]);
    const consoleApi = globalThis.fetch;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) =>
        String(input) === '/api/session'
          ? new Response(
              JSON.stringify({
                role: 'viewer',
                auth: true,
                policy: { readOnly: false, deny: [], viewerAllow: ['query-*'] },
              }),
            )
          : consoleApi(input, init),
      ),
    );
    const { sockets } = renderApp('/vms/vm1');
    const banner = await screen.findByRole('region', { name: 'Open alerts for vm1' });
    await waitFor(() => expect(sockets.sockets.length).toBeGreaterThan(0));
    const socket = sockets.last();
    await act(async () => socket.handshake());
    const resume = await within(banner).findByRole<HTMLButtonElement>('button', { name: 'Resume VM' });
    const ack = within(banner).getByRole<HTMLButtonElement>('button', { name: 'Acknowledge' });
    await waitFor(() => expect(resume.disabled).toBe(true));
    expect(ack.disabled).toBe(true);
    expect(resume.title).toBe('Viewers may not run cont: a viewer may run only query-*.');
    expect(ack.title).toBe('Acknowledging alerts needs the operator role.');
    expect(api.calls.filter((c) => c.startsWith('POST'))).toEqual([]);
  });

  it('does not call the last run state "now" once the VM is not connected', async () => {
    const { sources } = stubConsole(journal(), [alert()], [withRunState(VM1, 'io-error')]);
    renderApp('/vms/vm1');
    const banner = await screen.findByRole('region', { name: 'Open alerts for vm1' });
    await waitFor(() => expect(within(banner).getByText('Run state now')).toBeTruthy());
    // QEMU goes away (quit, a crash): the console says so on its stream.
    const stream = await streamFor(sources, '/api/stream');
    await act(async () =>
      stream.message({
        type: 'vm',
        vm: { ...VM1, state: 'disconnected', error: 'QEMU connection lost', runState: null },
      }),
    );
    await waitFor(() => expect(within(banner).queryByText('Run state now')).toBeNull());
    expect(within(banner).queryByText('io-error')).toBeNull();
  });

  it('acknowledges with a POST, and the alert leaves', async () => {
    const { api } = stubConsole(journal(), [alert({ id: 7 })]);
    renderApp('/vms/vm1');
    const banner = await screen.findByRole('region', { name: 'Open alerts for vm1' });
    await userEvent.click(await within(banner).findByRole('button', { name: 'Acknowledge' }));
    expect(api.calls).toContain('POST /api/alerts/7/ack');
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Open alerts for vm1' })).toBeNull());
  });
});

/** The console stream's first message on each connection. */
const snapshot = (alerts: JournalAlert[]): ConsoleStreamMessage => ({
  type: 'snapshot',
  vms: [VM1],
  alerts,
  journal: HEALTHY,
});

describe('AlertWatcher', () => {
  function renderWatcher() {
    const { sources } = stubConsole([], []);
    const queryClient = testQueryClient();
    const location = memoryLocation({ path: '/', record: true });
    document.title = 'QMP Console';
    render(
      <StrictMode>
        <AppProviders queryClient={queryClient}>
          <Router hook={location.hook}>
            <AlertWatcher />
            <AlertBanner />
          </Router>
        </AppProviders>
      </StrictMode>,
    );
    return { sources };
  }

  afterEach(() => cleanup());

  it('keeps alerts current from the stream, in the title and favicon, and announces new ones politely', async () => {
    const { sources } = renderWatcher();
    const es = await streamFor(sources, '/api/stream');
    // The first snapshot: on show, not announced.
    await act(async () => es.message(snapshot([alert({ id: 1 })])));
    await screen.findByRole('region', { name: 'Open alerts' });
    await waitFor(() => expect(document.title).toBe('(1 open alert) QMP Console'));
    expect(document.querySelector('link[rel~="icon"]')?.getAttribute('data-alerts')).toBe('1');
    const live = document.querySelector('[aria-live="polite"]')!;
    expect(live.textContent).toBe('');

    // A page setting its own title keeps the count in front.
    await act(async () => {
      document.title = 'vm1 · QMP Console';
    });
    await waitFor(() => expect(document.title).toBe('(1 open alert) vm1 · QMP Console'));

    // A new alert, then a repeat of it; an ENOSPC one.
    await act(async () => {
      es.message({
        type: 'alert',
        alert: alert({
          id: 2,
          device: 'full0',
          operation: 'write',
          nospace: true,
          reason: 'No space left on device',
          lastSeq: 20,
        }),
      });
    });
    await waitFor(() =>
      expect(live.textContent).toBe(
        'New alert. vm1: write error on disk full0, disk full (No space left on device); VM stopped.',
      ),
    );
    await waitFor(() => expect(document.title).toBe('(2 open alerts) vm1 · QMP Console'));
    expect(screen.getByText(/disk full0 .* write failed, disk full/)).toBeTruthy();

    // Acknowledged elsewhere: gone here too.
    await act(async () => {
      es.message({ type: 'alert', alert: alert({ id: 1, state: 'acknowledged', lastSeq: 10 }) });
      es.message({ type: 'alert', alert: alert({ id: 2, state: 'acknowledged', lastSeq: 20 }) });
    });
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Open alerts' })).toBeNull());
    expect(document.title).toBe('vm1 · QMP Console');
    expect(document.querySelector('link[rel~="icon"]')?.getAttribute('data-alerts')).toBe('0');
  });

  it('treats a lost VM as alert-level: title, favicon and an announcement, live from the stream', async () => {
    const { sources } = renderWatcher();
    const es = await streamFor(sources, '/api/stream');
    await act(async () => es.message(snapshot([])));
    // react-query tells observers on a timer: let the watcher see the VM up before it is lost, or the
    // loss is what the page opened on (on show, not news).
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    const live = document.querySelector('[aria-live="polite"]')!;
    await act(async () =>
      es.message({
        type: 'vm',
        vm: { ...VM1, state: 'disconnected', error: 'QEMU connection lost', runState: null },
      }),
    );
    await waitFor(() => expect(document.title).toBe('(1 VM lost) QMP Console'));
    expect(document.querySelector('link[rel~="icon"]')?.getAttribute('data-alerts')).toBe('1');
    await waitFor(() => expect(live.textContent).toBe('Connection lost: vm1. The console keeps retrying.'));
    await act(async () => es.message({ type: 'alert', alert: alert({ id: 3 }) }));
    await waitFor(() => expect(document.title).toBe('(1 VM lost, 1 open alert) QMP Console'));
    await act(async () => es.message({ type: 'vm', vm: VM1 }));
    await waitFor(() => expect(document.title).toBe('(1 open alert) QMP Console'));
  });

  it('replaces its alerts with each reconnection’s snapshot, announcing what came meanwhile', async () => {
    const { sources } = renderWatcher();
    const es = await streamFor(sources, '/api/stream');
    await act(async () => es.message(snapshot([alert({ id: 1 })])));
    await screen.findByRole('region', { name: 'Open alerts' });
    await act(async () => {
      es.drop();
      es.message(snapshot([alert({ id: 3, vm: 'db', device: 'disk9' })]));
    });
    await waitFor(() => expect(screen.getByText(/^db: disk disk9/)).toBeTruthy());
    expect(screen.queryByText(/^vm1: disk bad0/)).toBeNull();
    expect(document.querySelector('[aria-live="polite"]')?.textContent).toMatch(
      /^New alert\. db: read error on disk disk9/,
    );
  });
});
