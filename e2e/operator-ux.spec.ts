// What a new operator meets first, in a real Chromium against real QEMUs: the keyboard (a skip link, the
// event log one Tab stop with arrow keys), a phone (rows wrap, 44 px targets), the display menu (a
// light/dark choice applied before the first paint, times in local time or UTC, zone named).
import type { Locator, Page } from '@playwright/test';
import type { VmSummary } from '../protocol/api.ts';
import { connectQmp, type QmpSocketClient } from '../proxy/test-support/qmp-socket-client.ts';
import { demoToken } from './support/demo-token.ts';
import { expect, test, type VmConsole } from './support/fixtures.ts';

/** The VM stops on its failing disk `rounds` times (RESUME, BLOCK_IO_ERROR, STOP each): rows for the log. */
async function stopOnFailingDisk(c: VmConsole, vm: string, rounds: number): Promise<void> {
  await expect
    .poll(async () => ((await (await c.console.api('/api/vms')).json()) as VmSummary[])[0]?.state)
    .toBe('connected');
  const path = c.qemu[vm]?.secondMonitorPath;
  if (!path) throw new Error(`${vm} has no second monitor`);
  const qmp: QmpSocketClient = await connectQmp(path);
  await qmp.negotiate();
  await new Promise<void>((resolve, reject) => {
    let left = rounds;
    qmp.onEvent((e) => {
      if (e.event !== 'STOP') return;
      if (--left > 0) qmp.execute('cont').catch(reject);
      else resolve();
    });
    qmp.execute('cont').catch(reject);
  });
  await qmp.close();
}

/** The header's display menu (its summary). */
const displayMenu = (page: Page) => page.locator('header .display-menu > summary');

const failingVm = { vm1: { disks: [{ id: 'bad0', fail: 'eio' as const }], secondMonitor: true } };

/** The focused element's description: its class and, for a log row, its position in the log. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const row = el?.closest('li.log-row');
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      type: el?.getAttribute('type') ?? '',
      text: (el?.textContent ?? '').trim().slice(0, 60),
      inLog: !!el?.closest('.log-rows'),
      pos: row ? Number(row.getAttribute('aria-posinset')) : null,
      size: row ? Number(row.getAttribute('aria-setsize')) : null,
    };
  });

test('keyboard: the skip link comes first; the time range does not stand before the events; the log is one Tab stop moved by arrows', async ({
  page,
  vmConsole,
}) => {
  const c = await vmConsole(failingVm);
  await stopOnFailingDisk(c, 'vm1', 40);
  await c.open(page, '/vms/vm1/events');
  const log = page.getByRole('region', { name: 'Event log of vm1' });
  await expect(log.getByRole('listitem').filter({ hasText: 'BLOCK_IO_ERROR' }).first()).toBeVisible();
  await expect(page.locator('.log-count')).toContainText('back to the oldest in the journal');

  // The first Tab stop skips the header and the VM's sections to the page's content.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();

  // From the text filter to the first event: a few stops, none of them a date-time field's parts.
  await page.getByRole('searchbox').focus();
  const passed: string[] = [];
  for (let i = 0; i < 12 && !(await focused(page)).inLog; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    passed.push(f.type || f.tag);
  }
  expect(passed).not.toContain('datetime-local');
  expect(passed.length, `stops: ${passed.join(', ')}`).toBeLessThanOrEqual(6);
  // The log's stop is its newest row.
  const newest = await focused(page);
  expect(newest.inLog).toBe(true);
  expect(newest.pos).toBe(newest.size);
  const size = newest.size ?? 0;
  expect(size).toBeGreaterThan(100);

  // Arrows move between rows; Home goes to the oldest (scrolled there: it was far out of view).
  await page.keyboard.press('ArrowUp');
  expect((await focused(page)).pos).toBe(size - 1);
  await page.keyboard.press('ArrowUp');
  expect((await focused(page)).pos).toBe(size - 2);
  await page.keyboard.press('ArrowDown');
  expect((await focused(page)).pos).toBe(size - 1);
  await page.keyboard.press('PageUp');
  const afterPageUp = (await focused(page)).pos ?? 0;
  expect(afterPageUp).toBeLessThan(size - 5);
  await page.keyboard.press('Home');
  expect(await focused(page)).toMatchObject({ inLog: true, pos: 1 });
  const first = log.locator('li.log-row[aria-posinset="1"]');
  await expect(first).toBeInViewport();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const second = log.locator('li.log-row[aria-posinset="2"]');
  await expect(second.getByRole('button')).toHaveAttribute('aria-expanded', 'true');
  await expect(second.locator('pre')).toContainText('"event"');
  await page.keyboard.press('Space');
  await expect(second.getByRole('button')).toHaveAttribute('aria-expanded', 'false');

  // One Tab stop: Tab leaves the log; Shift+Tab comes back to the row it left.
  await page.keyboard.press('Tab');
  expect((await focused(page)).inLog).toBe(false);
  await page.keyboard.press('Shift+Tab');
  expect(await focused(page)).toMatchObject({ inLog: true, pos: 2 });
  await page.keyboard.press('End');
  expect((await focused(page)).pos).toBe(size);
  await expect(log.locator(`li.log-row[aria-posinset="${size}"]`)).toBeInViewport();
});

/** Boxes of visible controls smaller than 44 × 44 px. */
async function smallTargets(targets: Locator): Promise<string[]> {
  const small: string[] = [];
  for (const t of await targets.all()) {
    if (!(await t.isVisible())) continue;
    const box = await t.boundingBox();
    if (!box) continue;
    if (box.height < 44 || box.width < 44) {
      const what = await t.evaluate(
        (el) => `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 30)}"`,
      );
      small.push(`${what} ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}

const CONTROLS =
  'button, summary, select, input:not([type="checkbox"], [type="radio"]), a.button, nav a, .app-header a, .filter-name, .display-menu label';

test.describe('on a 390 × 844 phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('event rows wrap instead of clipping, and every control is a 44 px target', async ({
    page,
    vmConsole,
  }) => {
    const c = await vmConsole(failingVm);
    await stopOnFailingDisk(c, 'vm1', 3);
    await c.open(page, '/vms/vm1/events');
    const log = page.getByRole('region', { name: 'Event log of vm1' });
    const errorRow = log.getByRole('listitem').filter({ hasText: 'BLOCK_IO_ERROR' }).first();
    await expect(errorRow).toContainText('read failed (Input/output error), VM stopped');
    await expect(page.locator('.log-count')).toContainText('back to the oldest in the journal');

    // No row's content is cut off: nothing is wider than the row, no part wider than its box.
    const clipped = await log.locator('li.log-row').evaluateAll((rows) =>
      rows.flatMap((row) =>
        [row.querySelector('.log-row-main'), ...row.querySelectorAll('.log-row-main > *')]
          .filter((el): el is HTMLElement => el instanceof HTMLElement && !el.classList.contains('sr-only'))
          .filter((el) => el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight + 1)
          .map((el) => `${row.getAttribute('aria-posinset')}: ${el.className} "${el.textContent}"`),
      ),
    );
    expect(clipped).toEqual([]);
    // Rows do not overlap: each starts where the one before ends.
    const boxes = await log.locator('li.log-row').evaluateAll((rows) =>
      rows
        .map((r) => r.getBoundingClientRect())
        .sort((a, b) => a.top - b.top)
        .map((b) => ({ top: Math.round(b.top), bottom: Math.round(b.bottom) })),
    );
    for (let i = 1; i < boxes.length; i++)
      expect(boxes[i]!.top).toBeGreaterThanOrEqual(boxes[i - 1]!.bottom - 1);
    expect(await errorRow.evaluate((r) => r.getBoundingClientRect().height)).toBeGreaterThanOrEqual(44);

    expect(await smallTargets(page.locator(`${CONTROLS}, .log-row-main`))).toEqual([]);
    await page.getByText('Time range').click();
    await displayMenu(page).click();
    expect(await smallTargets(page.locator(CONTROLS))).toEqual([]);

    for (const path of ['/', '/vms/vm1', '/vms/vm1/block', '/events']) {
      await c.open(page, path);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await expect(page.getByText('Loading', { exact: false })).toHaveCount(0);
      expect(await smallTargets(page.locator(CONTROLS)), path).toEqual([]);
    }
  });
});

test.describe('the display menu', () => {
  test.use({ timezoneId: 'America/New_York' });

  test('times in local time or UTC, the zone named; the choice survives a reload', async ({
    page,
    vmConsole,
  }) => {
    const c = await vmConsole(failingVm);
    await stopOnFailingDisk(c, 'vm1', 1);
    await c.open(page, '/');
    const since = page.getByRole('listitem').filter({ hasText: 'vm1' }).locator('time').first();
    await expect(since).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d E[SD]T$/);
    const iso = (await since.getAttribute('datetime')) ?? '';
    const utcText = `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

    const menu = displayMenu(page);
    await menu.focus();
    await page.keyboard.press('Enter');
    const times = page.getByRole('group', { name: 'Times' });
    await expect(times.getByRole('radio', { name: /^Local \(E[SD]T\)$/ })).toBeChecked();
    await times.getByRole('radio', { name: 'UTC' }).check();
    await expect(since).toHaveText(utcText);
    // Escape closes the menu and leaves the keyboard on it.
    await page.keyboard.press('Escape');
    await expect(times).toBeHidden();
    await expect(page.locator('.display-menu summary')).toBeFocused();

    await page.reload();
    await expect(page.getByRole('listitem').filter({ hasText: 'vm1' }).locator('time').first()).toHaveText(
      utcText,
    );

    // The event log states the zone once and writes QEMU's times in it.
    await c.open(page, '/vms/vm1/events');
    await expect(page.getByText('Times in UTC')).toBeVisible();
    const row = page.getByRole('listitem').filter({ hasText: 'BLOCK_IO_ERROR' }).first().locator('time');
    const rowIso = (await row.getAttribute('datetime')) ?? '';
    await expect(row).toHaveText(new RegExp(`^${rowIso.slice(0, 10)} ${rowIso.slice(11, 19)}\\.\\d{6}$`));
    await page.getByText('Time range').click();
    await expect(page.getByLabel('From (UTC)')).toBeVisible();
  });

  test('light, dark or the OS: chosen by keyboard, kept, and applied before the app loads', async ({
    page,
  }) => {
    const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`/?token=${demoToken}`);
    await expect(page.getByRole('link', { name: 'demo', exact: true })).toBeVisible();
    const light = await background();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');

    await displayMenu(page).click();
    const theme = page.getByRole('group', { name: 'Theme' });
    await expect(theme.getByRole('radio', { name: 'System' })).toBeChecked();
    await theme.getByRole('radio', { name: 'System' }).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(theme.getByRole('radio', { name: 'Dark' })).toBeChecked();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    const dark = await background();
    expect(dark).not.toBe(light);

    // Reloaded with the app's script blocked: the page is dark already (public/theme-init.js).
    await page.route(/\/assets\/.*\.js$/, (route) => route.abort());
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    expect(await background()).toBe(dark);
    await page.unroute(/\/assets\/.*\.js$/);

    // "System" follows the OS, also while the page is open.
    await page.reload();
    await displayMenu(page).click();
    await page.getByRole('group', { name: 'Theme' }).getByRole('radio', { name: 'System' }).check();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.getByRole('group', { name: 'Theme' }).getByRole('radio', { name: 'Light' }).check();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    expect(await background()).toBe(light);
  });
});
