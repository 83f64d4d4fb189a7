import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { CONSOLE_STREAM_PATH } from '../../../protocol/api.ts';
import { alert, sourceAt } from '../test-support/fake-event-source.ts';
import { stubJournalApi } from '../test-support/fake-journal-api.ts';
import { cleanupApp, renderApp, VM1, VM2_DOWN } from '../test-support/render-app.tsx';

afterEach(() => cleanupApp());

const openIoError = alert({ id: 5, firstSeq: 20, lastSeq: 22, count: 3, last: '2026-11-26T13:05:00.000Z' });
const ackedEarlier = alert({
  id: 3,
  vm: 'vm2',
  device: 'old0',
  state: 'acknowledged',
  acknowledgedBy: 'operator@10.0.0.2',
  acknowledgedAt: '2026-11-26T14:00:00.000Z',
  lastSeq: 4,
});

const table = (name: RegExp | string) => screen.findByRole('table', { name });
const rowOf = (t: HTMLElement, text: RegExp) =>
  within(t)
    .getAllByRole('row')
    .find((r) => text.test(r.textContent ?? ''));

describe('alerts page', () => {
  it('the header badge leads to the one open alert, which gets the focus; Acknowledge moves it, saying who and when', async () => {
    const { journal } = stubJournalApi({ vms: [VM1, VM2_DOWN], alerts: [openIoError, ackedEarlier] });
    const { location } = renderApp('/');
    const nav = await screen.findByRole('navigation', { name: 'Console' });
    expect(within(nav).getByRole('link', { name: 'Alerts' }).getAttribute('href')).toBe('/alerts');
    const badge = await within(nav).findByRole('link', { name: '1 open alert' });
    expect(badge.getAttribute('href')).toBe('/alerts/5');

    await userEvent.click(badge);
    expect(location.history?.at(-1)).toBe('/alerts/5');
    expect(await screen.findByRole('heading', { level: 1, name: 'Alerts' })).toBeTruthy();
    const open = await table('Open alerts');
    const row = rowOf(open, /disk bad0/)!;
    expect(row.id).toBe('alert-5');
    expect(row.getAttribute('aria-current')).toBe('true');
    await waitFor(() => expect(document.activeElement).toBe(row));
    expect(within(row).getByRole('rowheader').textContent).toMatch(/vm1: disk bad0 .* read failed/);
    expect(within(row).getByRole('cell', { name: '3' })).toBeTruthy();
    expect(document.title).toMatch(/Alert 5 · QMP Console$/);

    // The older acknowledged alert says who acknowledged it and when.
    const acked = await table('Acknowledged alerts');
    const earlier = rowOf(acked, /disk old0/)!;
    expect(earlier.textContent).toContain('operator@10.0.0.2');
    expect(within(earlier).getAllByRole('time').at(-1)!.getAttribute('datetime')).toBe(
      '2026-11-26T14:00:00.000Z',
    );

    await userEvent.click(within(row).getByRole('button', { name: /^Acknowledge/ }));
    expect(journal.calls).toContain('POST /api/alerts/5/ack');
    // It leaves the open list, is re-read into the acknowledged one, and keeps the focus there.
    expect(await screen.findByText('No open alerts.')).toBeTruthy();
    await waitFor(() =>
      expect(rowOf(screen.getByRole('table', { name: 'Acknowledged alerts' }), /disk bad0/)).toBeTruthy(),
    );
    const moved = rowOf(screen.getByRole('table', { name: 'Acknowledged alerts' }), /disk bad0/)!;
    expect(moved.textContent).toContain('operator@127.0.0.1');
    expect(within(moved).getAllByRole('time').at(-1)!.getAttribute('datetime')).toBe(
      '2026-11-30T10:30:00.000Z',
    );
    await waitFor(() => expect(document.activeElement).toBe(moved));
    expect(within(nav).queryByRole('link', { name: /open alert/ })).toBeNull();
  });

  it('keeps its filters in the URL: state and VM, each change a new address', async () => {
    const { journal } = stubJournalApi({ vms: [VM1, VM2_DOWN], alerts: [openIoError, ackedEarlier] });
    const { location } = renderApp('/alerts?state=acknowledged&vm=vm2');
    const acked = await table('Acknowledged alerts on vm2');
    expect(rowOf(acked, /disk old0/)).toBeTruthy();
    expect(screen.queryByRole('heading', { name: /^Open alerts/ })).toBeNull();
    expect(journal.calls).toContain('GET /api/alerts?state=acknowledged&limit=200&vm=vm2');

    // The filters' <search> landmark (testing-library does not know the element's role yet).
    const filters = document.querySelector<HTMLElement>('search[aria-label="Filter alerts"]')!;
    await userEvent.selectOptions(within(filters).getByRole('combobox', { name: 'State' }), 'Open');
    expect(location.history?.at(-1)).toBe('/alerts?state=open&vm=vm2');
    expect(await screen.findByRole('heading', { name: 'Open alerts on vm2' })).toBeTruthy();
    expect(await screen.findByText('No open alerts.')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: /^Acknowledged alerts/ })).toBeNull();

    await userEvent.selectOptions(within(filters).getByRole('combobox', { name: 'VM' }), 'All VMs');
    expect(location.history?.at(-1)).toBe('/alerts?state=open');
    expect(rowOf(await table('Open alerts'), /disk bad0/)).toBeTruthy();
  });

  it('a deep link to an alert no list shows reads it on its own; an unknown one says so', async () => {
    const { journal } = stubJournalApi({ vms: [VM1], alerts: [openIoError, ackedEarlier] });
    renderApp('/alerts/3?state=open');
    const alone = await table('Alert 3');
    const row = rowOf(alone, /disk old0/)!;
    expect(row.textContent).toContain('operator@10.0.0.2');
    await waitFor(() => expect(document.activeElement).toBe(row));
    expect(journal.calls).toContain('GET /api/alerts/3');
    cleanupApp();

    stubJournalApi({ vms: [VM1], alerts: [openIoError] });
    renderApp('/alerts/1234');
    expect(await screen.findByText(/There is no alert 1234/)).toBeTruthy();
  });

  it('follows the console stream: an alert acknowledged in another browser moves to the acknowledged list', async () => {
    const { journal, sources } = stubJournalApi({ vms: [VM1], alerts: [openIoError] });
    renderApp('/alerts');
    expect(rowOf(await table('Open alerts'), /disk bad0/)).toBeTruthy();
    expect(await screen.findByText('No acknowledged alerts.')).toBeTruthy();

    const elsewhere = {
      ...openIoError,
      state: 'acknowledged' as const,
      acknowledgedBy: 'operator@10.9.9.9',
      acknowledgedAt: '2026-11-30T11:00:00.000Z',
    };
    journal.alerts = [elsewhere];
    const stream = await waitFor(() => sourceAt(sources, CONSOLE_STREAM_PATH));
    await act(async () => stream.message({ type: 'alert', alert: elsewhere }));
    expect(await screen.findByText('No open alerts.')).toBeTruthy();
    const acked = await table('Acknowledged alerts');
    await waitFor(() => expect(rowOf(acked, /disk bad0/)?.textContent).toContain('operator@10.9.9.9'));
  });

  it('for a viewer, Acknowledge is off and the page says why (the console would refuse it)', async () => {
    const { journal } = stubJournalApi({ vms: [VM1], alerts: [openIoError], role: 'viewer' });
    renderApp('/alerts');
    const row = rowOf(await table('Open alerts'), /disk bad0/)!;
    expect(await screen.findByText('Acknowledging alerts needs the operator role.')).toBeTruthy();
    await waitFor(() =>
      expect((within(row).getByRole('button', { name: /^Acknowledge/ }) as HTMLButtonElement).disabled).toBe(
        true,
      ),
    );
    expect(journal.calls.some((c) => c.startsWith('POST'))).toBe(false);
  });

  it("the event log's banner, full, leads to every open alert here", async () => {
    const many = Array.from({ length: 12 }, (_, i) => alert({ id: i + 1, device: `d${i}`, lastSeq: i + 1 }));
    stubJournalApi({ vms: [VM1], alerts: many });
    renderApp('/events');
    const banner = await screen.findByRole('region', { name: 'Open alerts' });
    const more = await within(banner).findByRole('link', { name: 'see every open alert' });
    expect(more.getAttribute('href')).toBe('/alerts?state=open');
    expect(banner.textContent).toContain('2 more:');
  });
});
