// Many hosts in one console, in a real Chromium: two host consoles on two real QEMUs publish to a real
// nats-server; the fleet console lists both hosts' VMs and drives the second host's VM from its page.
import path from 'node:path';
import { startTestConsole, type TestConsole } from '../proxy/test-support/console.ts';
import { startTestFleet, type TestFleet } from '../proxy/test-support/fleet.ts';
import { startTestNats } from '../proxy/test-support/nats.ts';
import { bootQemu } from '../proxy/test-support/qemu.ts';
import { expect, seriousA11yViolations, test } from './support/fixtures.ts';

test("the fleet lists every host's VMs; Resume on the second host's failing VM raises an alert naming host, VM, disk and cause", async ({
  page,
}) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const nats = await startTestNats();
    cleanups.push(() => nats.stop());
    const hosts: TestConsole[] = [];
    for (const host of ['host-a', 'host-b']) {
      const qemu = await bootQemu({ disks: [{ id: 'bad0', fail: 'eio' }] });
      cleanups.push(() => qemu.dispose());
      const c = await startTestConsole({
        vms: { vm1: qemu.qmpPath },
        args: ['--nats', nats.url, '--host-name', host],
        start: { upstream: { initialBackoffMs: 50 }, hostLink: { heartbeatMs: 500 } },
      });
      cleanups.push(() => c.stop());
      hosts.push(c);
    }
    const fleet: TestFleet = await startTestFleet({
      natsUrl: nats.url,
      start: { staticDir: path.resolve('dist/web') },
    });
    cleanups.push(() => fleet.stop());

    const url = new URL('/', fleet.url);
    url.searchParams.set('token', fleet.token!);
    await page.goto(url.toString());

    const list = page.getByRole('list', { name: 'Virtual machines' });
    const card = (name: string) =>
      list.getByRole('listitem').filter({ has: page.getByRole('link', { name, exact: true }) });
    for (const name of ['vm1@host-a', 'vm1@host-b']) {
      await expect(card(name).getByText('connected', { exact: true })).toBeVisible({ timeout: 20_000 });
    }
    expect(await seriousA11yViolations(page)).toEqual([]);

    await card('vm1@host-b').getByRole('link', { name: 'vm1@host-b', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'vm1@host-b' })).toBeVisible();
    await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('prelaunch');
    await page.getByRole('button', { name: 'Resume' }).click();

    // SeaBIOS reads the failing disk on host-b; its BLOCK_IO_ERROR reaches the fleet through JetStream.
    const banner = page.getByRole('region', { name: 'Open alerts for vm1@host-b' });
    await expect(banner).toContainText('vm1@host-b: disk bad0', { timeout: 20_000 });
    await expect(banner).toContainText('read failed, Input/output error');
    await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('io-error');
    // Only the second host's VM ran.
    const alertsA = (await (await hosts[0]!.api('/api/alerts?state=open')).json()) as { alerts: unknown[] };
    expect(alertsA.alerts).toEqual([]);
    const alertsB = (await (await hosts[1]!.api('/api/alerts?state=open')).json()) as {
      alerts: { device: string }[];
    };
    expect(alertsB.alerts.map((a) => a.device)).toEqual(['bad0']);

    // Acknowledged on the fleet page: gone here, and acknowledged on host-b in the fleet's name.
    await banner.getByRole('button', { name: 'Acknowledge' }).click();
    await expect(banner).toBeHidden();
    await expect
      .poll(async () => {
        const list = (await (await hosts[1]!.api('/api/alerts?state=acknowledged')).json()) as {
          alerts: { acknowledgedBy?: string }[];
        };
        return list.alerts[0]?.acknowledgedBy ?? '';
      })
      .toMatch(/^fleet fleet-1: operator@/);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
});
