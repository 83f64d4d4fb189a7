// The `qmp-console` command as a person runs it: flags, the ready line, the demo VM, a clean stop.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliVms, exited, killCliProcesses, startCli, until } from './test-support/cli-process.ts';
import { useQemu } from './test-support/qemu.ts';

const cli = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'proxy/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 20_000,
  });

describe('bad flags', () => {
  it.each([
    [['--bogus'], /--bogus/],
    [['--target', 'vm=/run/vm.qmp'], /--target.*unix: or tcp:/],
    [['--target', 'vm=tcp:localhost'], /tcp:HOST:PORT/],
    [['--listen', 'everywhere'], /--listen "everywhere"/],
  ])('%j exits 2 with one line naming the problem', (args, message) => {
    const r = cli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--help prints the flags and exits 0', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--target NAME=ADDRESS');
    expect(r.stdout).toContain('nodelay=on');
  });
});

const dirs: string[] = [];
afterEach(() => {
  killCliProcesses();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const start = (args: string[]) => startCli(args);
const vms = cliVms;

describe('targets', () => {
  const qemu = useQemu({});

  it('serves a reachable VM while an unreachable one shows as disconnected with its reason', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-cli-'));
    dirs.push(dataDir);
    const { child, url } = await start([
      '--listen',
      '127.0.0.1:0',
      '--data-dir',
      dataDir,
      '--target',
      `good=unix:${qemu().qmpPath}`,
      '--target',
      `gone=unix:${path.join(dataDir, 'nothing-here.qmp')}`,
    ]);
    expect(url.searchParams.get('token')?.length).toBeGreaterThanOrEqual(22);
    const list = await until(async () => {
      const l = await vms(url);
      return l.find((v) => v.name === 'good')?.state === 'connected' &&
        l.find((v) => v.name === 'gone')?.error
        ? l
        : undefined;
    }, 'both VMs to settle');
    expect(list.find((v) => v.name === 'good')!.version?.qemu).toMatchObject({ major: 7, minor: 2 });
    const gone = list.find((v) => v.name === 'gone')!;
    expect(gone.state).not.toBe('connected');
    expect(gone.error).toMatch(/no such socket/);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });
});

describe('the demo VM', () => {
  it('boots a real QEMU with a failing disk, and stops it with the console', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-cli-demo-'));
    dirs.push(dataDir);
    const { child, url } = await start(['--listen', '127.0.0.1:0', '--data-dir', dataDir]);
    const demo = await until(async () => {
      const d = (await vms(url)).find((v) => v.name === 'demo');
      return d?.state === 'connected' ? d : undefined;
    }, 'the demo VM');
    expect(demo.version?.qemu).toMatchObject({ major: 7, minor: 2 });
    const pidFile = path.join(dataDir, 'demo', 'qemu.pid');
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('blkdebug');

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    // No orphaned QEMU: the console stopped its demo VM before it exited.
    await until(
      async () => (existsSync(`/proc/${pid}`) ? undefined : true),
      'the demo QEMU to be gone',
      5000,
    );
  });
});
