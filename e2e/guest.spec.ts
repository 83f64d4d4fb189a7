// Seeing the guest in a real Chromium against real QEMUs: the screen (SeaBIOS's, on the demo VM's VGA),
// the serial console, block I/O charts, NICs and the screenshot of a panic.
import { mkdirSync } from 'node:fs';
import type { Locator } from '@playwright/test';
import { DEMO_VM_SPEC } from '../proxy/demo/demo-vm.ts';
import { ataReadSector, hmpVia, pvpanic, uartSend } from '../proxy/test-support/guest-io.ts';
import { expect, expectNoSeriousA11yViolations, test, type VmConsole } from './support/fixtures.ts';

const SCREENSHOTS = 'docs/screenshots';
// Each journey boots QEMUs and runs axe on two pages in two themes: longer than the default allows here.
test.describe.configure({ timeout: 150_000 });
const demoSpec = { ...DEMO_VM_SPEC, disks: [...DEMO_VM_SPEC.disks] };

/** HMP on a VM through the console's own session (as a guest's driver would poke its ports). */
function hmp(c: VmConsole, vm: string) {
  const hub = c.console.running.hub.get(vm)!;
  return hmpVia((command, args) => hub.execute(command, args as never));
}

/** How many distinct colours the loaded image has (1: a blank screen). */
function distinctColours(img: Locator): Promise<number> {
  return img.evaluate(async (el) => {
    const image = el as HTMLImageElement;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(image, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Set<number>();
    for (let i = 0; i < data.length && seen.size < 16; i += 4)
      seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return seen.size;
  });
}

test("the demo VM's screen: SeaBIOS on the Display panel, and a thumbnail per VM in the list", async ({
  page,
  vmConsole,
}) => {
  const c = await vmConsole({ demo: demoSpec, headless: { disks: [{ id: 'disk0' }] } });
  await c.open(page, '/vms/demo');
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('prelaunch');
  // SeaBIOS draws its banner, then reads the failing disk and QEMU stops the VM.
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('io-error');

  await page
    .getByRole('navigation', { name: 'demo sections' })
    .getByRole('link', { name: 'Display' })
    .click();
  const screen = page.getByRole('region', { name: 'Screen' });
  const picture = screen.getByRole('img', { name: /^Screen of demo at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+$/ });
  await expect(picture).toBeVisible();
  expect(await distinctColours(picture)).toBeGreaterThan(1);
  // On demand: a new picture (the console shares one per second, so the time moves on).
  const before = await picture.getAttribute('alt');
  await expect(async () => {
    await screen.getByRole('button', { name: 'Refresh screen' }).click();
    expect(await picture.getAttribute('alt')).not.toBe(before);
  }).toPass();
  await expectNoSeriousA11yViolations(page, 'Display panel');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.getByRole('region', { name: 'Screen' }).screenshot({ path: `${SCREENSHOTS}/display-panel.png` });

  await c.open(page, '/');
  const list = page.getByRole('list', { name: 'Virtual machines' });
  const card = (name: string) =>
    list.getByRole('listitem').filter({ has: page.getByRole('link', { name, exact: true }) });
  const thumb = card('demo').getByRole('img', { name: /^Screen of demo at / });
  await expect(thumb).toBeVisible();
  expect(await distinctColours(thumb)).toBeGreaterThan(1);
  await expect(card('headless').getByText('No display')).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'VM list with screens');

  await c.open(page, '/vms/headless/display');
  await expect(
    page.getByRole('region', { name: 'Screen' }).getByText(/^No display: .*screendump/),
  ).toBeVisible();
});

test('the serial console: what the guest sends on COM1 appears, and an operator writes into the ring', async ({
  page,
  vmConsole,
}) => {
  const c = await vmConsole({ demo: demoSpec });
  await c.open(page, '/vms/demo/serial');
  const terminal = page.getByRole('region', { name: 'Serial console ser0' });
  await expect(terminal).toBeVisible();
  await expect(page.getByText(/^0 bytes received/)).toBeVisible();
  // The guest's UART transmits an "A" (as its serial driver would, through the transmit register).
  await uartSend(hmp(c, 'demo'), 'A');
  await expect(page.getByText(/^1 bytes received/)).toBeVisible();
  await expect(terminal.locator('.xterm-rows')).toContainText('A');

  // Typing: ringbuf-write over the operator's QMP session. QEMU puts the bytes into the ring itself (a
  // ringbuf has no input side to the guest), so they come back in the log every tab reads.
  await terminal.click();
  await page.keyboard.type('z');
  await expect(page.getByText(/^2 bytes received/)).toBeVisible();
  await expect(terminal.locator('.xterm-rows')).toContainText('Az');
  const log = (await (await c.console.api('/api/vms/demo/serial/ser0')).json()) as { data: string };
  expect(Buffer.from(log.data, 'base64').toString()).toBe('Az');
  c.console.running.journal.flushAudit();
  const audit = (await (await c.console.api('/api/audit')).json()) as { records: { command: string }[] };
  expect(audit.records.map((r) => r.command)).toContain('ringbuf-write');
  await expectNoSeriousA11yViolations(page, 'Serial console');
});

test('a guest panic opens an alert with the screen as it was at that moment', async ({ page, vmConsole }) => {
  const c = await vmConsole({ vm1: { vga: true, pvpanic: true, disks: [{ id: 'disk0' }] } });
  await c.open(page, '/vms/vm1');
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('prelaunch');
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('running');
  // The guest writes the panic bit to the pvpanic port; with panic=pause QEMU stops it.
  await pvpanic(hmp(c, 'vm1'));
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('guest-panicked');
  const alerts = page.getByRole('region', { name: 'Open alerts for vm1' });
  await expect(alerts.getByText(/^vm1: the guest panicked, /)).toBeVisible();
  const shot = alerts.getByRole('img', { name: /^Screen of vm1 when the guest panicked/ });
  await expect(shot).toBeVisible();
  await expect.poll(() => shot.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  expect(await distinctColours(shot)).toBeGreaterThan(1);
  await expect(alerts.getByRole('button', { name: 'Resume VM' })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'Panic alert');
});

test('block I/O charts move while the guest reads its disk; the VM page shows sparklines', async ({
  page,
  vmConsole,
}) => {
  const c = await vmConsole({ vm1: { disks: [{ id: 'disk0' }] } });
  await c.open(page, '/vms/vm1/block');
  const io = page.getByRole('region', { name: 'I/O of disk0' });
  const opsChart = io.getByRole('img', { name: /^disk0 operations\/s: / });
  await expect(opsChart).toHaveAccessibleName(/read 0 ops\/s, write 0 ops\/s now/);
  // The guest's IDE driver reads sectors (ATA READ SECTORS through the ports) until a sample counts them.
  await expect(async () => {
    for (let i = 0; i < 4; i++) await ataReadSector(hmp(c, 'vm1'));
    await expect(opsChart).toHaveAccessibleName(/peaks read [1-9][\d.]* ops\/s/, { timeout: 3000 });
  }).toPass();
  await expect(
    io.getByRole('img', { name: /^disk0 bytes\/s: .*peaks read [1-9][\d.]* (B|KiB)\/s/ }),
  ).toBeVisible();
  await expect(
    io.getByRole('img', { name: /^disk0 failed operations: .*peaks read 0 failed/ }),
  ).toBeVisible();
  await expect(page.getByText(/vCPU and VM statistics: query-stats returned no statistics/)).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'Block devices with I/O charts');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page
    .getByRole('region', { name: /^Block I\/O, last 10 minutes/ })
    .screenshot({ path: `${SCREENSHOTS}/block-io-charts.png` });

  // Every tab sees the same history from its first paint: the overview's sparkline already has the peak.
  await page
    .getByRole('navigation', { name: 'vm1 sections' })
    .getByRole('link', { name: 'Overview' })
    .click();
  await expect(page.getByRole('img', { name: /^disk0 bytes\/s: .*peaks read [1-9]/ })).toBeVisible();
});

test('the Network page lists NICs, and an operator pulls a link after confirming', async ({
  page,
  vmConsole,
}) => {
  const c = await vmConsole({
    vm1: {
      extraArgs: [
        ...['-netdev', 'user,id=n0', '-device', 'e1000,netdev=n0,id=nic0'],
        ...['-netdev', 'user,id=n1', '-device', 'virtio-net-pci,netdev=n1,id=nic1'],
      ],
    },
  });
  await c.open(page, '/vms/vm1/network');
  const table = page.getByRole('table', { name: 'NICs of vm1' });
  const row = (nic: string) => table.getByRole('row', { name: new RegExp(`^${nic}\\b`) });
  await expect(row('nic0')).toContainText('e1000');
  await expect(row('nic0')).toContainText(/52:54:00:/);
  await expect(row('nic1')).toContainText('virtio-net-pci');
  await expect(row('nic1')).toContainText(/promiscuous/);
  await expectNoSeriousA11yViolations(page, 'Network page');

  await row('nic0').getByRole('button', { name: 'Set nic0 link down' }).click();
  const dialog = page.getByRole('dialog', { name: "Set nic0's link down on vm1?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Set link down' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'nic0: link set down' })).toBeVisible();
  await expect(row('nic0').getByText('down', { exact: true })).toBeVisible();
  await expect(row('nic0').getByRole('button', { name: 'Set nic0 link up' })).toBeVisible();
});
