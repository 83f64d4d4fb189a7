// Against a real QEMU 7.2: the VM our demo, integration and e2e tests rely on behaves as the console expects of QEMU 7.2.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { QmpEvent } from '../../protocol/qmp.ts';
import { startDemoVm } from '../demo/demo-vm.ts';
import { bootQemu, type TestQemu, useQemu } from '../test-support/qemu.ts';
import { connectQmp, type QmpSocketClient } from '../test-support/qmp-socket-client.ts';
import { launchQemu, type QemuInstance, QemuLaunchError } from './launch-qemu.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function negotiated(address: string): Promise<QmpSocketClient> {
  const client = await connectQmp(address);
  await client.negotiate();
  return client;
}

/** `cont` on a VM whose first disk fails: SeaBIOS reads it, the read fails, the VM stops. */
async function contUntilStopped(client: QmpSocketClient): Promise<{ error: QmpEvent; stop: QmpEvent }> {
  expect(await client.execute('cont')).toEqual({ return: {}, id: expect.any(Number) });
  const error = await client.waitForEvent('BLOCK_IO_ERROR');
  const stop = await client.waitForEvent('STOP');
  return { error, stop };
}

describe('a healthy VM', () => {
  const vm = useQemu({ name: 'int-healthy', disks: [{ id: 'disk0' }] });
  let client: QmpSocketClient | null = null;
  afterEach(async () => {
    await client?.close();
    client = null;
  });

  it('greets with QEMU 7.2 and the oob capability', async () => {
    client = await connectQmp(`unix:${vm().qmpPath}`);
    expect(client.greeting.QMP.version.qemu).toMatchObject({ major: 7, minor: 2 });
    expect(client.greeting.QMP.capabilities).toContain('oob');
  });

  it('starts paused in prelaunch, answers errors with their class, and logs its command line', async () => {
    client = await connectQmp(vm().qmpPath);
    expect(await client.execute('query-status')).toMatchObject({ error: { class: 'CommandNotFound' } });
    await client.negotiate();
    expect(await client.call('query-status')).toEqual({
      status: 'prelaunch',
      running: false,
      singlestep: false,
    });
    expect(await client.execute('no-such-command')).toMatchObject({ error: { class: 'CommandNotFound' } });
    const log = await readFile(path.join(vm().dir, 'qemu.log'), 'utf8');
    expect(log).toContain('-name int-healthy');
  });

  it('serves the next client once the previous one has left', async () => {
    const first = await negotiated(vm().qmpPath);
    await first.close();
    client = await negotiated(vm().qmpPath);
    expect(await client.call('query-name')).toEqual({ name: 'int-healthy' });
  });
});

describe('a VM whose first disk fails with EIO', () => {
  const vm = useQemu({ disks: [{ id: 'bad0', fail: 'eio' }, { id: 'disk0' }], secondMonitor: true });

  it('resumes, reports BLOCK_IO_ERROR on bad0 and stops in io-error, seen by both monitors', async () => {
    const client = await negotiated(vm().qmpPath);
    const witness = await negotiated(`unix:${vm().secondMonitorPath}`);
    try {
      const { error } = await contUntilStopped(client);
      expect(client.events.map((e) => e.event)).toEqual(['RESUME', 'BLOCK_IO_ERROR', 'STOP']);
      expect(error.data).toMatchObject({ device: 'bad0', operation: 'read', action: 'stop' });
      expect(error.data?.nospace ?? false).toBe(false);
      expect(await client.call('query-status')).toMatchObject({ status: 'io-error', running: false });

      const blocks = (await client.call('query-block')) as Array<{ device: string; 'io-status'?: string }>;
      expect(blocks.map((b) => [b.device, b['io-status']])).toEqual([
        ['bad0', 'failed'],
        ['disk0', 'ok'],
      ]);

      await witness.waitForEvent('STOP');
      expect(witness.events.map((e) => e.event)).toEqual(['RESUME', 'BLOCK_IO_ERROR', 'STOP']);
    } finally {
      await client.close();
      await witness.close();
    }
  });

  it('repeats the three events on every further cont', async () => {
    const client = await negotiated(vm().qmpPath);
    try {
      await contUntilStopped(client);
      await contUntilStopped(client);
      expect(client.events.map((e) => e.event)).toEqual([
        'RESUME',
        'BLOCK_IO_ERROR',
        'STOP',
        'RESUME',
        'BLOCK_IO_ERROR',
        'STOP',
      ]);
    } finally {
      await client.close();
    }
  });
});

describe('launching and stopping', () => {
  const booted: TestQemu[] = [];
  afterEach(async () => {
    await Promise.all(booted.splice(0).map((vm) => vm.dispose()));
  });

  it('reports a full disk (ENOSPC) as nospace: true', async () => {
    const vm = await bootQemu({ disks: [{ id: 'full0', fail: 'enospc' }] });
    booted.push(vm);
    const client = await negotiated(vm.qmpPath);
    const { error } = await contUntilStopped(client);
    expect(error.data).toMatchObject({ device: 'full0', nospace: true, action: 'stop' });
    const blocks = (await client.call('query-block')) as Array<{ 'io-status'?: string }>;
    expect(blocks[0]?.['io-status']).toBe('nospace');
    await client.close();
  });

  it('places four disks on ide.0, ide.1, ide.0, ide.1 and refuses a fifth', async () => {
    const ids = ['d0', 'd1', 'd2', 'd3'];
    const vm = await bootQemu({ disks: ids.map((id) => ({ id, sizeMiB: 1 })) });
    booted.push(vm);
    const client = await negotiated(vm.qmpPath);
    const blocks = (await client.call('query-block')) as Array<{ device: string }>;
    expect(blocks.map((b) => b.device)).toEqual(ids);
    await client.close();

    await expect(bootQemu({ disks: [...ids, 'd4'].map((id) => ({ id })) })).rejects.toThrow(/at most 4/);
  });

  it('stop() ends the process and QEMU removes its socket', async () => {
    const vm = await bootQemu({ secondMonitor: true });
    booted.push(vm);
    expect(isAlive(vm.pid)).toBe(true);
    await vm.stop();
    expect(isAlive(vm.pid)).toBe(false);
    expect(await vm.exited).toEqual({ code: 0, signal: null });
    expect(vm.log()).toContain('terminating on signal 15');
    await expect(connectQmp(vm.qmpPath)).rejects.toThrow(/ENOENT|ECONNREFUSED/);
  });

  it('dispose() stops QEMU and removes its directory, even after QEMU quit by itself', async () => {
    const vm = await bootQemu({});
    const client = await negotiated(vm.qmpPath);
    await client.call('quit');
    await client.closed;
    await vm.exited;
    await vm.dispose();
    await vm.dispose();
    expect(isAlive(vm.pid)).toBe(false);
    await expect(readFile(path.join(vm.dir, 'qemu.log'))).rejects.toThrow(/ENOENT/);
  });

  describe('failures name their cause', () => {
    let dir = '';
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('a missing binary says how to install QEMU', async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'qmp-console-test-'));
      const launch = launchQemu({ dir, binary: 'qemu-system-x86_64-missing' });
      await expect(launch).rejects.toThrow(QemuLaunchError);
      await expect(launch).rejects.toThrow(
        'qemu-system-x86_64-missing not found: install it with `apt-get install qemu-system-x86` ' +
          '(or run `node scripts/system-packages.mjs qemu` as root)',
      );
    });

    it('a QEMU that exits at start-up is reported with its stderr', async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'qmp-console-test-'));
      const launch = launchQemu({ dir, extraArgs: ['-device', 'no-such-device'] });
      await expect(launch).rejects.toThrow(
        /QEMU exited with code 1 before its QMP socket was ready; QEMU said:\n.*no-such-device/,
      );
    });

    it('a socket path too long for a unix socket is refused before spawning', async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'qmp-console-test-'));
      const deep = path.join(dir, 'x'.repeat(100));
      await expect(launchQemu({ dir: deep })).rejects.toThrow(/longer than 107 bytes/);
    });
  });
});

describe('the demo VM', () => {
  let dataDir = '';
  const started: QemuInstance[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((vm) => vm.stop()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs as demo with bad0 failing first and disk0 healthy, replacing a leftover demo QEMU', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'qmp-console-test-'));
    // A console killed outright leaves its demo QEMU running: the next start must not trip over it.
    const leftover = await startDemoVm(dataDir);
    started.push(leftover);
    const vm = await startDemoVm(dataDir);
    started.push(vm);
    expect(await leftover.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(vm.qmpPath).toBe(path.join(dataDir, 'demo', 'qmp.sock'));

    const client = await negotiated(`unix:${vm.qmpPath}`);
    expect(await client.call('query-name')).toEqual({ name: 'demo' });
    const blocks = (await client.call('query-block')) as Array<{ device: string }>;
    expect(blocks.map((b) => b.device)).toEqual(['bad0', 'disk0']);
    const { error } = await contUntilStopped(client);
    expect(error.data).toMatchObject({ device: 'bad0', action: 'stop' });
    await client.close();

    await vm.stop();
    await vm.exited;
    expect((await readdir(path.join(dataDir, 'demo'))).sort()).toEqual([
      'bad0.blkdebug.conf',
      'bad0.img',
      'disk0.img',
      'qemu.log',
    ]);
  });
});
