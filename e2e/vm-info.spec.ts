// VM info in a real Chromium against real QEMUs: the VM list, the VM page's panels, live run state and
// io-status, the QOM browser, accessibility in both themes, and the screenshots the README shows.
import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, expectNoSeriousA11yViolations, test, type VmConsole } from './support/fixtures.ts';

const SCREENSHOTS = 'docs/screenshots';

/** Opens `pathname` (the fixture passes the token; the console then redirects to the bare page). */
async function openWithToken(page: Page, c: VmConsole, pathname: string) {
  await c.open(page, pathname);
  await expect(page).toHaveURL(new RegExp(`${pathname.replace(/\//g, '\\/')}$`));
}

function blockRow(page: Page, device: string) {
  return page
    .getByRole('region', { name: 'Block devices' })
    .getByRole('row', { name: new RegExp(`^${device}\\b`) });
}

test('an operator picks the demo VM, resumes it, and sees the failing disk stop it, live', async ({
  page,
  vmConsole,
}) => {
  const c = await vmConsole({
    demo: { disks: [{ id: 'bad0', fail: 'eio' }, { id: 'disk0' }] },
    spare: { name: 'spare', disks: [{ id: 'disk0' }] },
  });
  await openWithToken(page, c, '/');

  // The list: every VM with its connection, run state and version.
  const list = page.getByRole('list', { name: 'Virtual machines' });
  const demoCard = list
    .getByRole('listitem')
    .filter({ has: page.getByRole('link', { name: 'demo', exact: true }) });
  await expect(demoCard.getByText('connected', { exact: true })).toBeVisible();
  await expect(demoCard.getByText('prelaunch', { exact: true })).toBeVisible();
  await expect(demoCard.getByText(/^7\.2\.\d+$/)).toBeVisible();
  await expect(list.getByRole('link', { name: 'spare', exact: true })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'VM list');

  // The VM page: real version, prelaunch, and its panels one link away.
  await demoCard.getByRole('link', { name: 'demo', exact: true }).click();
  await expect(page).toHaveURL(/\/vms\/demo$/);
  await expect(page.getByRole('heading', { level: 1, name: 'demo' })).toBeVisible();
  await expect(page.getByText(/^QEMU 7\.2\.\d+$/)).toBeVisible();
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('prelaunch');
  const overview = page.getByRole('region', { name: 'Overview' });
  await expect(overview.getByText('no balloon device', { exact: true })).toBeVisible();
  await expect(overview.getByText(/this QEMU has no query-hpet/)).toBeVisible();
  await expect(overview.getByText('pc-i440fx-7.2', { exact: true })).toBeVisible();
  await expect(overview.getByText(/^Debian /)).toBeVisible();

  const sections = page.getByRole('navigation', { name: 'demo sections' });
  await sections.getByRole('link', { name: 'Block devices' }).click();
  await expect(page).toHaveURL(/\/vms\/demo\/block$/);
  await expect(blockRow(page, 'bad0')).toBeVisible();
  await expect(blockRow(page, 'disk0')).toBeVisible();
  await expect(blockRow(page, 'bad0').getByRole('cell', { name: 'ok', exact: true })).toBeVisible();

  // A destructive control asks first, naming the VM; Escape leaves it alone. By keyboard.
  await page.getByRole('button', { name: /^Reset/ }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Reset demo?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('prelaunch');

  // Resume: SeaBIOS reads the failing disk, QEMU stops the VM; events bring it here without a reload.
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('io-error');
  await expect(blockRow(page, 'bad0').getByRole('cell', { name: 'failed', exact: true })).toBeVisible();
  await expect(blockRow(page, 'disk0').getByRole('cell', { name: 'ok', exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Status' })).toContainText('Disk trouble: bad0 failed');

  await expectNoSeriousA11yViolations(page, 'VM page (block devices)');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/vm-page-light.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${SCREENSHOTS}/vm-page-dark.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  await page
    .getByRole('navigation', { name: 'demo sections' })
    .getByRole('link', { name: 'Overview' })
    .click();
  await expectNoSeriousA11yViolations(page, 'VM page (overview)');

  // A second VM, chosen from the list.
  await page.getByRole('link', { name: 'QMP Console' }).click();
  await expect(demoCard.getByText('io-error', { exact: true })).toBeVisible();
  await list.getByRole('link', { name: 'spare', exact: true }).click();
  await expect(page).toHaveURL(/\/vms\/spare$/);
  await expect(page.getByRole('heading', { level: 1, name: 'spare' })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('prelaunch');
  await expect(
    page.getByRole('region', { name: 'Overview' }).getByText('spare', { exact: true }),
  ).toBeVisible();
});

test('a disk that runs out of space shows nospace, from a deep link to the block panel', async ({
  page,
  vmConsole,
}) => {
  const c = await vmConsole({ full: { disks: [{ id: 'full0', fail: 'enospc' }] } });
  await openWithToken(page, c, '/vms/full/block');
  await expect(page.getByRole('heading', { level: 2, name: 'Block devices' })).toBeVisible();
  await expect(blockRow(page, 'full0').getByRole('cell', { name: 'ok', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('io-error');
  await expect(blockRow(page, 'full0').getByRole('cell', { name: 'nospace', exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Status' })).toContainText('full0 is full (nospace)');
});

test('the QOM browser lists /machine, expands a child lazily and reads a property', async ({
  page,
  vmConsole,
}) => {
  const c = await vmConsole({ demo: { disks: [{ id: 'disk0' }] } });
  await openWithToken(page, c, '/vms/demo/qom');
  const qom = page.getByRole('region', { name: 'QOM browser' });
  const root = qom.getByRole('button', { name: '/machine', exact: true });
  await expect(root).toHaveAttribute('aria-expanded', 'true');

  const anon = qom.getByRole('button', { name: 'peripheral-anon', exact: true });
  await expect(anon).toHaveAttribute('aria-expanded', 'false');
  await anon.focus();
  await page.keyboard.press('Enter');
  await expect(anon).toHaveAttribute('aria-expanded', 'true');
  await expect(qom.getByRole('button', { name: 'device[0]', exact: true })).toBeVisible();

  await qom.getByRole('button', { name: 'Read type of /machine', exact: true }).click();
  await expect(qom.getByRole('status', { name: 'type of /machine' })).toHaveText('pc-i440fx-7.2-machine');

  // Collapsing and expanding /machine again needs no new round trip: the listing is cached.
  await root.click();
  await expect(anon).toBeHidden();
  await root.click();
  await expect(qom.getByRole('button', { name: 'peripheral-anon', exact: true })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'QOM browser');
});
