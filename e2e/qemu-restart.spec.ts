import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestConsole } from '../proxy/test-support/console.ts';
import { bootQemu } from '../proxy/test-support/qemu.ts';
import { connectQmp } from '../proxy/test-support/qmp-socket-client.ts';
import { expect, test } from './support/fixtures.ts';

test('the VM page follows QEMU going away and coming back, without a reload', async ({ page }) => {
  // The console's target is a link, so a new QEMU can take over the same address.
  const linkDir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-e2e-link-'));
  const link = path.join(linkDir, 'vm.qmp');
  const first = await bootQemu({});
  symlinkSync(first.qmpPath, link);
  const running = await startTestConsole({
    vms: { phoenix: link },
    start: { staticDir: path.resolve('dist/web'), upstream: { initialBackoffMs: 50, maxBackoffMs: 1000 } },
  });
  let second: Awaited<ReturnType<typeof bootQemu>> | null = null;
  try {
    await page.goto(`${running.url}vms/phoenix?token=${running.token}`);
    const connection = page.getByRole('status', { name: /^Connection/ });
    await expect(connection).toHaveAccessibleName('Connection: connected');
    await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('prelaunch');

    await first.stop();
    await expect(connection).not.toHaveAccessibleName('Connection: connected');

    second = await bootQemu({ secondMonitor: true });
    rmSync(link);
    symlinkSync(second.qmpPath, link);
    await expect(connection).toHaveAccessibleName('Connection: connected', { timeout: 15_000 });
    // Resumed from outside, the new QEMU runs: only a page that really reconnected can show it.
    const direct = await connectQmp(second.secondMonitorPath!);
    await direct.negotiate();
    await direct.call('cont');
    await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('running');
    await direct.close();
  } finally {
    await running.stop();
    await first.dispose();
    await second?.dispose();
    rmSync(linkDir, { recursive: true, force: true });
  }
});
