// `--listen-qmp` as the only gate to an operator's session: it never replaces a file it did not make,
// its socket is private whatever the umask, its clients count against the limits, and the audit names
// the connecting user.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CommandRecord } from '../../protocol/journal.ts';
import { startTestConsole, type TestConsole } from '../test-support/console.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectQmp } from '../test-support/qmp-socket-client.ts';

process.env.QMP_CONSOLE_LOG ??= 'error';

const qemu = useQemu();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-listen-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function consoleWith(socketPath: string, args: string[] = [], onCommand?: (r: CommandRecord) => void) {
  const tc = await startTestConsole({
    vms: { vm: qemu().qmpPath },
    args: ['--listen-qmp', `vm=unix:${socketPath}`, ...args],
    ...(onCommand ? { start: { onCommand } } : {}),
  });
  await vi.waitFor(() => expect(tc.running.hub.get('vm')!.upstream.status.state).toBe('connected'), 10_000);
  return tc;
}

describe('--listen-qmp path', () => {
  it('refuses a regular file at the path and leaves it as it was', async () => {
    const p = path.join(dir, 'precious.txt');
    writeFileSync(p, 'keep me');
    await expect(consoleWith(p)).rejects.toThrow(/a file that is not a socket is there; not replacing it/);
    expect(readFileSync(p, 'utf8')).toBe('keep me');
  });

  it('refuses a socket another process listens on, and reuses a stale one', async () => {
    const live = path.join(dir, 'live.qmp');
    const other = net.createServer().listen(live);
    await new Promise((r) => other.once('listening', r));
    try {
      await expect(consoleWith(live)).rejects.toThrow(/another process is listening on that socket/);
      expect(lstatSync(live).isSocket()).toBe(true);
    } finally {
      other.close();
    }
    // A socket file nobody listens on: what a console killed with -9 leaves.
    const stale = path.join(dir, 'stale.qmp');
    spawnSync('python3', [
      '-c',
      `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(stale)})`,
    ]);
    expect(lstatSync(stale).isSocket()).toBe(true);
    const tc = await consoleWith(stale);
    const c = await connectQmp(stale);
    await c.negotiate();
    await c.close();
    await tc.stop();
  });
});

describe('--listen-qmp socket', () => {
  let tc: TestConsole | null = null;
  afterAll(async () => {
    await tc?.stop();
  });

  it('is 0600 even under umask 000, 0660 with --listen-qmp-group', async () => {
    const p = path.join(dir, 'private.qmp');
    const old = process.umask(0);
    try {
      const first = await consoleWith(p);
      expect((lstatSync(p).mode & 0o777).toString(8)).toBe('600');
      await first.stop();
      const gid = process.getgid!();
      const grouped = await consoleWith(p, ['--listen-qmp-group', String(gid)]);
      expect({ mode: (lstatSync(p).mode & 0o777).toString(8), gid: lstatSync(p).gid }).toEqual({
        mode: '660',
        gid,
      });
      await grouped.stop();
    } finally {
      process.umask(old);
    }
    expect(existsSync(p)).toBe(false);
  });

  it("counts its clients against --max-clients-per-vm and audits the peer's uid", async () => {
    const records: CommandRecord[] = [];
    const p = path.join(dir, 'limited.qmp');
    tc = await consoleWith(p, ['--max-clients-per-vm', '1'], (r) => records.push(r));
    const first = await connectQmp(p);
    await first.negotiate();
    expect(await first.call('query-status')).toMatchObject({ status: 'prelaunch' });
    expect(records.at(-1)).toMatchObject({
      command: 'query-status',
      context: { role: 'operator', remoteAddress: `unix:uid=${process.getuid!()}` },
    });
    // The one over the limit gets no greeting: one QMP error, then the socket closes.
    const second = net.connect(p);
    let said = '';
    second.on('data', (d) => {
      said += d;
    });
    await new Promise((r) => second.once('close', r));
    expect(JSON.parse(said)).toEqual({
      error: {
        class: 'GenericError',
        desc: 'QMP Console: too many clients for VM "vm": at most 1 (--max-clients-per-vm)',
      },
    });
    expect(await first.call('query-status')).toMatchObject({ status: 'prelaunch' });
    await first.close();
  });
});
