import type { AlertAckResult, AlertList, AuditList } from '../protocol/journal.ts';
import { TEST_VIEWER_TOKEN } from '../proxy/test-support/console.ts';
import { api, direct, storm } from './support/failing-disk.ts';
import { expect, expectNoSeriousA11yViolations, seriousA11yViolations, test } from './support/fixtures.ts';

test('a badge leads to the alert; acknowledged, it says who and when; the audit page shows what the browser ran', async ({
  page,
  browser,
  vmConsole,
}) => {
  // One journey over three pages, with axe in two themes on each: longer than the default minute.
  test.setTimeout(180_000);
  const c = await vmConsole(
    { vm1: { disks: [{ id: 'bad0', fail: 'eio' }], secondMonitor: true } },
    { args: ['--viewer-token', TEST_VIEWER_TOKEN] },
  );
  const qmp = await direct(c, 'vm1');
  await storm(qmp, 1);
  await expect.poll(async () => (await api<AlertList>(c, '/api/alerts?state=open')).alerts.length).toBe(1);
  const [raised] = (await api<AlertList>(c, '/api/alerts?state=open')).alerts;

  // The VM list: the card's count and the header's badge both lead straight to the one alert.
  await c.open(page, '/');
  const nav = page.getByRole('navigation', { name: 'Console' });
  await expect(nav.getByRole('link', { name: '1 open alert' })).toHaveAttribute(
    'href',
    `/alerts/${raised!.id}`,
  );
  const cardBadge = page.getByRole('link', { name: '1 open alert on vm1' });
  await expect(cardBadge).toHaveText('1 open');
  await cardBadge.click();

  // The alerts page, scrolled to the alert, which has the focus.
  await expect(page).toHaveURL(new RegExp(`/alerts/${raised!.id}$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Alerts' })).toBeVisible();
  const open = page.getByRole('table', { name: 'Open alerts' });
  const row = open.getByRole('row').filter({ hasText: 'vm1: disk bad0' });
  await expect(row).toBeFocused();
  await expect(row).toHaveAttribute('aria-current', 'true');
  await expect(row.getByRole('rowheader')).toContainText('read failed, Input/output error');
  await expectNoSeriousA11yViolations(page, 'alerts page with an open alert');

  // Acknowledged here: it moves to the acknowledged list, saying who and when (the console's own record).
  await row.getByRole('button', { name: /^Acknowledge/ }).click();
  await expect(page.getByText('No open alerts.')).toBeVisible();
  await expect(nav.getByRole('link', { name: /open alert/ })).toHaveCount(0);
  const acked = page
    .getByRole('table', { name: 'Acknowledged alerts' })
    .getByRole('row')
    .filter({ hasText: 'vm1: disk bad0' });
  await expect(acked).toBeFocused();
  const truth = (await api<AlertAckResult>(c, `/api/alerts/${raised!.id}`)).alert;
  expect(truth).toMatchObject({ state: 'acknowledged', acknowledgedBy: expect.stringMatching(/^operator@/) });
  await expect(acked).toContainText(truth.acknowledgedBy!);
  await expect(acked.locator('time').last()).toHaveAttribute('datetime', truth.acknowledgedAt!);
  await expect(acked.locator('time').last()).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z][\w+:-]*$/);

  // The filters are in the URL: a reload keeps the view.
  await page.getByRole('combobox', { name: 'State' }).selectOption('Acknowledged');
  await expect(page).toHaveURL(/\/alerts\?state=acknowledged$/);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Acknowledged alerts' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Open alerts' })).toHaveCount(0);

  // The VM's page: the browser runs its queries over the console, each one audited.
  await acked.getByRole('link', { name: 'vm1', exact: true }).click();
  await expect(page).toHaveURL(/\/vms\/vm1$/);
  await expect(page.getByText(/QEMU 7\.2\.\d+/).first()).toBeVisible();

  // The audit page, from the header: what this browser ran, as the console's trail records it.
  await nav.getByRole('link', { name: 'Audit' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  const commands = page.getByRole('table', { name: 'Commands, newest first' });
  await expect(commands.getByRole('row').nth(1)).toBeVisible();
  const trail = (await api<AuditList>(c, '/api/audit?limit=100')).records;
  const ours = trail.find((r) => r.vm === 'vm1' && r.role === 'operator' && r.outcome === 'ok');
  expect(ours, JSON.stringify(trail.slice(0, 5))).toBeTruthy();
  const shown = commands
    .getByRole('row')
    .filter({ hasText: ours!.remote })
    .filter({
      has: page.getByRole('rowheader', { name: ours!.command, exact: true }),
    });
  await expect(shown.first()).toContainText('operator');
  await expect(shown.first()).toContainText('ok');
  await expectNoSeriousA11yViolations(page, 'audit page');

  // A viewer: told the page needs an operator, and the console is asked nothing it would refuse.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const viewer = await context.newPage();
  const auditCalls: string[] = [];
  viewer.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/audit')) auditCalls.push(r.url());
  });
  await c.open(viewer, '/audit', TEST_VIEWER_TOKEN);
  await expect(viewer.getByText(/The audit trail needs the operator role: you are a viewer/)).toBeVisible();
  const viewerNav = viewer.getByRole('navigation', { name: 'Console' });
  await expect(viewerNav.getByRole('link', { name: 'Alerts' })).toBeVisible();
  await expect(viewerNav.getByRole('link', { name: 'Audit' })).toHaveCount(0);
  expect(await seriousA11yViolations(viewer), 'audit page as a viewer').toEqual([]);
  expect(auditCalls).toEqual([]);
  await context.close();
  await qmp.close();
});
