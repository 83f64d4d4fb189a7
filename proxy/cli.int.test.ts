// The `qmp-console` command as a person runs it: flags, the ready line, the demo VM, a clean stop.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { VmSummary } from '../protocol/api.ts';
import { eventually } from './test-support/eventually.ts';
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

const running: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Starts the CLI and resolves with the URL of its ready line. */
function start(args: string[]): Promise<{ child: ChildProcess; url: URL }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'proxy/main.ts', ...args], {
    env: { ...process.env, QMP_CONSOLE_LOG: 'warn' },
  });
  running.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in 30 s; stderr: ${err}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: new URL(m[1]!) });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before the ready line; stderr: ${err}`)));
  });
}

async function vms(url: URL): Promise<VmSummary[]> {
  const res = await fetch(new URL('/api/vms', url), {
    headers: { authorization: `Bearer ${url.searchParams.get('token')}` },
  });
  return (await res.json()) as VmSummary[];
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });

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
    const list = await eventually('both VMs to settle', async () => {
      const l = await vms(url);
      return l.find((v) => v.name === 'good')?.state === 'connected' &&
        l.find((v) => v.name === 'gone')?.error
        ? l
        : undefined;
    });
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
    const demo = await eventually('the demo VM', async () => {
      const d = (await vms(url)).find((v) => v.name === 'demo');
      return d?.state === 'connected' ? d : undefined;
    });
    expect(demo.version?.qemu).toMatchObject({ major: 7, minor: 2 });
    const pidFile = path.join(dataDir, 'demo', 'qemu.pid');
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('blkdebug');

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    // No orphaned QEMU: the console stopped its demo VM before it exited.
    await eventually('the demo QEMU to be gone', () => (existsSync(`/proc/${pid}`) ? undefined : true), 5000);
  });
});
