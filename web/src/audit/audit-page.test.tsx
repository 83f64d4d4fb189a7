import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { auditRecord, stubJournalApi } from '../test-support/fake-journal-api.ts';
import { cleanupApp, renderApp, VM1, VM2_DOWN } from '../test-support/render-app.tsx';
import { AUDIT_PAGE_SIZE } from './queries.ts';

afterEach(() => cleanupApp());

/** 150 commands, alternating vm1/vm2; the newest (150) a summary of refused stops, the one before with arguments. */
const trail = () =>
  Array.from({ length: 150 }, (_, i) => {
    const id = i + 1;
    if (id === 150)
      return auditRecord(id, {
        vm: 'vm2',
        command: 'stop',
        outcome: 'denied',
        errorClass: 'GenericError',
        role: 'viewer',
        count: 4999,
      });
    if (id === 149)
      return auditRecord(id, { command: 'set_password', argumentNames: ['protocol', 'password'] });
    return auditRecord(id, { vm: id % 2 ? 'vm1' : 'vm2' });
  });

const commands = () => screen.findByRole('table', { name: /^Commands/ });
const bodyRows = (t: HTMLElement) => within(t).getAllByRole('row').slice(1);

describe('audit page', () => {
  it('shows who ran what, newest first, argument names only, page by page', async () => {
    const { journal } = stubJournalApi({ vms: [VM1, VM2_DOWN], audit: trail() });
    renderApp('/audit');
    const nav = await screen.findByRole('navigation', { name: 'Console' });
    expect((await within(nav).findByRole('link', { name: 'Audit' })).getAttribute('href')).toBe('/audit');
    expect(await screen.findByRole('heading', { level: 1, name: 'Audit' })).toBeTruthy();
    const t = await commands();
    expect(
      within(t)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['Time', 'VM', 'Command', 'Arguments', 'Outcome', 'Role', 'From']);
    const [refused, withArgs] = bodyRows(t);
    expect(within(refused!).getByRole('rowheader').textContent).toBe('stop');
    expect(refused!.textContent).toContain('denied');
    expect(refused!.textContent).toContain('GenericError');
    expect(refused!.textContent).toContain('viewer');
    expect(refused!.textContent).toContain('127.0.0.1:40150');
    // A summary of a window's refusals says how many it stands for; a single record says nothing.
    expect(refused!.textContent).toContain('×4,999');
    expect(withArgs!.textContent).not.toContain('×');
    expect(within(refused!).getByRole('time').getAttribute('datetime')).toBe(auditRecord(150).at);
    expect(withArgs!.textContent).toContain('protocol, password');
    expect(bodyRows(t)).toHaveLength(AUDIT_PAGE_SIZE);
    expect(journal.calls).toContain('GET /api/audit?limit=100');

    await userEvent.click(screen.getByRole('button', { name: 'Load older commands' }));
    await waitFor(() => expect(bodyRows(screen.getByRole('table', { name: /^Commands/ }))).toHaveLength(150));
    expect(journal.calls).toContain('GET /api/audit?limit=100&before=51');
    expect(screen.queryByRole('button', { name: 'Load older commands' })).toBeNull();
  });

  it('filters by VM in the URL', async () => {
    const { journal } = stubJournalApi({ vms: [VM1, VM2_DOWN], audit: trail() });
    const { location } = renderApp('/audit');
    await commands();
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'VM' }), 'vm2');
    expect(location.history?.at(-1)).toBe('/audit?vm=vm2');
    expect(await screen.findByRole('table', { name: 'Commands on vm2, newest first' })).toBeTruthy();
    await waitFor(() => expect(journal.calls).toContain('GET /api/audit?limit=100&vm=vm2'));
    const rows = bodyRows(screen.getByRole('table', { name: /^Commands on vm2/ }));
    expect(rows.every((r) => within(r).getAllByRole('cell')[1]!.textContent === 'vm2')).toBe(true);
  });

  it('tells a viewer it needs the operator role, and asks the console nothing it would refuse', async () => {
    const { journal } = stubJournalApi({ vms: [VM1], audit: trail(), role: 'viewer' });
    renderApp('/audit');
    expect(await screen.findByText(/The audit trail needs the operator role: you are a viewer/)).toBeTruthy();
    // The header's Alerts link is there (its own session check settled), Audit is not.
    const nav = await screen.findByRole('navigation', { name: 'Console' });
    expect(within(nav).getByRole('link', { name: 'Alerts' })).toBeTruthy();
    expect(within(nav).queryByRole('link', { name: 'Audit' })).toBeNull();
    expect(screen.queryByRole('table')).toBeNull();
    expect(journal.calls.filter((c) => c.includes('/api/audit'))).toEqual([]);
  });
});
