// The console's view into a real QEMU 7.2: screendump, the ringbuf serial log, block I/O sampling, NICs
// and the screenshot of a panic, through the HTTP API every tab uses.
import { afterEach, describe, expect, it } from 'vitest';
import type { NicList, SerialChunk, VmStatsHistory } from '../../protocol/guest.ts';
import { SCREEN_TAKEN_HEADER } from '../../protocol/guest.ts';
import type { AlertList } from '../../protocol/journal.ts';
import type { LaunchQemuOptions } from '../qemu/launch-qemu.ts';
import { startTestConsole, TEST_VIEWER_TOKEN, type TestConsole } from '../test-support/console.ts';
import { ataReadSector, hmpVia, pvpanic, uartSend } from '../test-support/guest-io.ts';
import { bootQemu } from '../test-support/qemu.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function consoleFor(spec: Omit<LaunchQemuOptions, 'dir'>, args: string[] = []): Promise<TestConsole> {
  const qemu = await bootQemu(spec);
  cleanups.push(() => qemu.dispose());
  const running = await startTestConsole({
    vms: { vm: qemu.qmpPath },
    args,
    // Sampling only when a test asks (sample()), so deltas are exactly the test's I/O.
    start: { sampler: { intervalMs: 3_600_000 } },
  });
  cleanups.push(() => running.stop());
  const vm = running.running.hub.get('vm')!;
  await new Promise<void>((resolve) => {
    if (vm.upstream.status.state === 'connected') return resolve();
    const off = vm.onStatus((_, s) => {
      if (s.state === 'connected') {
        off();
        resolve();
      }
    });
  });
  return running;
}

const hmpOf = (c: TestConsole) => {
  const vm = c.running.hub.get('vm')!;
  return hmpVia((command, args) => vm.execute(command, args as never));
};

/** PNG width and height from its IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('screen', () => {
  it('serves the VGA screen as a PNG, one dump shared by requests within a second', async () => {
    const c = await consoleFor({ vga: true });
    const first = await c.api('/api/vms/vm/screen.png');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await first.arrayBuffer());
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(pngSize(png).width).toBeGreaterThan(0);
    const second = await c.api('/api/vms/vm/screen.png');
    expect(second.headers.get(SCREEN_TAKEN_HEADER)).toBe(first.headers.get(SCREEN_TAKEN_HEADER));
    // Nothing is left behind in the private directory QEMU wrote to.
    const { readdirSync, statSync } = await import('node:fs');
    expect(readdirSync(c.running.guest.screens.dir)).toEqual([]);
    expect(statSync(c.running.guest.screens.dir).mode & 0o777).toBe(0o700);
  });

  it('says so when the VM has no display, and viewers may look', async () => {
    const c = await consoleFor({}, ['--viewer-token', TEST_VIEWER_TOKEN]);
    const res = await fetch(new URL('api/vms/vm/screen.png', c.url), {
      headers: { authorization: `Bearer ${TEST_VIEWER_TOKEN}` },
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'no-display', error: expect.stringMatching(/console/) });
    expect((await c.api('/api/vms/nope/screen.png')).status).toBe(404);
  });
});

describe('serial', () => {
  it('keeps what the guest sends on COM1 and serves it from any offset', async () => {
    const c = await consoleFor({ serialRingbuf: 'ser0' });
    const hmp = hmpOf(c);
    await uartSend(hmp, 'Hi');
    const all = (await (await c.api('/api/vms/vm/serial/ser0')).json()) as SerialChunk;
    expect(Buffer.from(all.data, 'base64').toString()).toBe('Hi');
    expect(all).toMatchObject({ start: 0, end: 2 });
    await uartSend(hmp, '!');
    // Reads within the rate limit share one ringbuf-read: wait it out by asking until the byte shows.
    let next: SerialChunk;
    do next = (await (await c.api(`/api/vms/vm/serial/ser0?after=${all.end}`)).json()) as SerialChunk;
    while (next.end === all.end);
    expect(Buffer.from(next.data, 'base64').toString()).toBe('!');
    expect(next.start).toBe(2);
    const unknown = await c.api('/api/vms/vm/serial/nope');
    expect(unknown.status).toBe(422);
    expect((await c.api('/api/vms/vm/serial/ser0?after=x')).status).toBe(400);
  });
});

describe('block statistics', () => {
  it('turns query-blockstats deltas into per-second rates per device', async () => {
    const c = await consoleFor({ disks: [{ id: 'disk0' }] });
    const sampler = c.running.guest.sampler;
    await sampler.sample('vm');
    await ataReadSector(hmpOf(c));
    await ataReadSector(hmpOf(c));
    await sampler.sample('vm');
    const history = (await (await c.api('/api/vms/vm/stats')).json()) as VmStatsHistory;
    const disk = history.block.find((b) => b.device === 'disk0')!;
    expect(disk.t).toHaveLength(1);
    const [readOps] = disk.readOpsPerS;
    expect(readOps).toBeGreaterThan(0);
    // Sector reads: 512 bytes an operation (both rates are given to four significant digits).
    expect(Math.abs(disk.readBytesPerS[0]! / readOps! - 512)).toBeLessThan(1);
    expect(disk.writeOpsPerS).toEqual([0]);
    expect(disk.t).toEqual([0]);
    expect(disk.since).toBeLessThanOrEqual(Date.now());
    expect(disk.since).toBeGreaterThan(Date.now() - 60_000);
    expect(history.vmStatsNote).toMatch(/KVM only/);
  });
});

describe('NICs', () => {
  it('lists NICs with model and MAC, and sets a link for operators only, as the policy says', async () => {
    const c = await consoleFor(
      {
        extraArgs: [
          ...['-netdev', 'user,id=n0', '-device', 'e1000,netdev=n0,id=nic0'],
          ...['-netdev', 'user,id=n1', '-device', 'virtio-net-pci,netdev=n1,id=nic1'],
        ],
      },
      ['--viewer-token', TEST_VIEWER_TOKEN],
    );
    const list = (await (await c.api('/api/vms/vm/nics')).json()) as NicList;
    expect(list.nics.map((n) => [n.name, n.model, n.netdev, n.link])).toEqual(
      expect.arrayContaining([
        ['nic0', 'e1000', 'n0', 'unknown'],
        ['nic1', 'virtio-net-pci', 'n1', 'unknown'],
      ]),
    );
    expect(list.nics.find((n) => n.name === 'nic1')?.rxFilter).toMatchObject({ promiscuous: true });
    expect(list.nics.find((n) => n.name === 'nic0')?.mac).toMatch(/^52:54:00:/);
    const post = (token: string | null, body: unknown) =>
      fetch(new URL('api/vms/vm/nics/nic0/link', c.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${token ?? c.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post(TEST_VIEWER_TOKEN, { up: false })).status).toBe(403);
    expect((await post(null, { up: 'no' })).status).toBe(400);
    const res = await post(null, { up: false });
    expect(res.status).toBe(200);
    const after = (await (await c.api('/api/vms/vm/nics')).json()) as NicList;
    expect(after.nics.find((n) => n.name === 'nic0')?.link).toBe('down');
    c.running.journal.flushAudit();
    const audit = (await (await c.api('/api/audit')).json()) as { records: { command: string }[] };
    expect(audit.records.map((r) => r.command)).toContain('set_link');
  });

  it('refuses set_link when the policy denies it', async () => {
    const c = await consoleFor(
      { extraArgs: ['-netdev', 'user,id=n0', '-device', 'e1000,netdev=n0,id=nic0'] },
      ['--deny', 'set_link'],
    );
    const res = await c.api('/api/vms/vm/nics/nic0/link', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"up":false}',
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: expect.stringMatching(/--deny 'set_link'/) });
  });
});

describe('panic capture', () => {
  it('takes a screenshot when GUEST_PANICKED arrives and serves it by the event, referenced by the alert', async () => {
    const c = await consoleFor({ vga: true, pvpanic: true });
    // From prelaunch QEMU cannot pause into guest-panicked: run first, as a guest that panics does.
    await c.running.hub.get('vm')!.execute('cont');
    await pvpanic(hmpOf(c));
    let alerts: AlertList;
    do alerts = (await (await c.api('/api/alerts?state=open')).json()) as AlertList;
    while (!alerts.alerts.some((a) => a.event === 'GUEST_PANICKED'));
    const alert = alerts.alerts.find((a) => a.event === 'GUEST_PANICKED')!;
    expect(alert.action).toBe('pause');
    const res = await c.api(`/api/events/${alert.firstSeq}/screen.png`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 8)).toEqual(PNG_SIGNATURE);
    const { statSync } = await import('node:fs');
    const path = await import('node:path');
    const file = path.join(c.dataDir, 'screenshots', `event-${alert.firstSeq}.png`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await c.api(`/api/events/${alert.firstSeq + 1000}/screen.png`)).status).toBe(404);
    await expect(c.running.hub.get('vm')!.execute('query-status')).resolves.toMatchObject({
      status: 'guest-panicked',
    });
  });
});
