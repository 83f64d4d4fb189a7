// The data directory is one console's: a second console on it stops before touching anything (the first
// one's demo QEMU, its disk images, its journal) and says who holds it; everything in it is private.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliVms, exited, killCliProcesses, startCli, until } from '../test-support/cli-process.ts';

const dirs: string[] = [];
afterEach(() => {
  killCliProcesses();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Every file and directory under `dir` with its permission bits. */
function modes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = (statSync(full).mode & 0o777).toString(8);
  }
  return out;
}

describe('the data directory', () => {
  it("a second console on it exits naming the first; the first one's demo VM, images and journal are untouched", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-lock-'));
    dirs.push(dataDir);
    // As an older console left it, under umask 022.
    chmodSync(dataDir, 0o755);
    const first = await startCli(['--listen', '127.0.0.1:0', '--data-dir', dataDir]);
    await until(async () => {
      const d = (await cliVms(first.url)).find((v) => v.name === 'demo');
      return d?.state === 'connected' ? d : undefined;
    }, 'the demo VM');
    const qemuPid = Number(readFileSync(path.join(dataDir, 'demo', 'qemu.pid'), 'utf8').trim());
    const images = () =>
      readdirSync(path.join(dataDir, 'demo'))
        .filter((f) => f.endsWith('.img') || f.endsWith('.raw') || f.endsWith('.qcow2'))
        .map((f) => {
          const s = statSync(path.join(dataDir, 'demo', f));
          return { f, ino: s.ino, mtimeMs: s.mtimeMs };
        });
    const imagesBefore = images();
    expect(imagesBefore.length).toBeGreaterThan(0);

    const second = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'proxy/main.ts', '--listen', '127.0.0.1:0', '--data-dir', dataDir],
      { encoding: 'utf8', timeout: 20_000, env: { ...process.env, QMP_CONSOLE_LOG: 'warn' } },
    );
    expect(second.status).toBe(1);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^qmp-console: --data-dir .* is in use by another QMP Console: pid ${first.child.pid} \\(`),
    );
    // The first console's QEMU still runs, the same disks are there, and the console still serves it.
    expect(readFileSync(`/proc/${qemuPid}/cmdline`, 'utf8')).toContain('qemu-system');
    expect(images()).toEqual(imagesBefore);
    expect((await cliVms(first.url)).find((v) => v.name === 'demo')?.state).toBe('connected');

    // Private: the directory 0700, every file in it 0600 (sockets and QEMU's files included).
    const all = modes(dataDir);
    expect((statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    expect(all['journal.sqlite']).toBe('600');
    for (const [name, mode] of Object.entries(all))
      expect({ name, mode }).toEqual({ name, mode: expect.stringMatching(/^[67]00$/) });

    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    // Released on exit: the next console starts at once.
    const next = await startCli(['--listen', '127.0.0.1:0', '--data-dir', dataDir]);
    next.child.kill('SIGTERM');
    expect(await exited(next.child)).toBe(0);
  }, 90_000);

  it('on a read-only file system, says so in one line', () => {
    const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-ro-'));
    dirs.push(mountPoint);
    // A read-only tmpfs in a private mount namespace (an unprivileged user namespace: no root needed).
    for (const dataDir of [mountPoint, path.join(mountPoint, 'state')]) {
      const r = spawnSync(
        'unshare',
        [
          '--map-root-user',
          '--mount',
          'sh',
          '-c',
          'mount -t tmpfs -o ro tmpfs "$1" && exec "$0" --import tsx proxy/main.ts --listen 127.0.0.1:0 --data-dir "$2"',
          process.execPath,
          mountPoint,
          dataDir,
        ],
        { encoding: 'utf8', timeout: 20_000, env: { ...process.env, QMP_CONSOLE_LOG: 'warn' } },
      );
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([
        `qmp-console: --data-dir ${dataDir} is on a read-only file system (EROFS)`,
      ]);
    }
  });
});
