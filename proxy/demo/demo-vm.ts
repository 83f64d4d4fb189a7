// The demo VM the console starts when no `--target` is given: paused, with a first disk that fails every
// read (so `cont` shows a real BLOCK_IO_ERROR alert at once), a healthy second disk, a VGA screen and a
// serial port on a ringbuf.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { type LaunchQemuOptions, launchQemu, type QemuInstance } from '../qemu/launch-qemu.ts';

const PID_FILE = 'qemu.pid';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A demo QEMU left behind by a console that was killed outright still holds this directory's sockets and
 * images. Kill it, but only when the pid really is a QEMU serving this directory (pids get reused).
 */
async function killLeftover(dir: string, qmpPath: string): Promise<void> {
  const pid = Number.parseInt(await readFile(path.join(dir, PID_FILE), 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes('qemu-system') || !cmdline.includes(qmpPath)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  for (let waited = 0; waited < 2000 && isAlive(pid); waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What the demo VM is made of (the e2e tests boot the same VM). */
export const DEMO_VM_SPEC = {
  name: 'demo',
  disks: [{ id: 'bad0', fail: 'eio' }, { id: 'disk0' }],
  // A screen to look at (SeaBIOS's) and a serial port the browser can read and type into.
  vga: true,
  serialRingbuf: 'ser0',
} as const satisfies Omit<LaunchQemuOptions, 'dir'>;

/** Boots the demo VM (`-name demo`, disks `bad0` failing with EIO and `disk0`, VGA, COM1 on ringbuf `ser0`) in `${dataDir}/demo/`. */
export async function startDemoVm(dataDir: string): Promise<QemuInstance> {
  const dir = path.resolve(dataDir, 'demo');
  await mkdir(dir, { recursive: true });
  await killLeftover(dir, path.join(dir, 'qmp.sock'));
  for (const entry of await readdir(dir)) {
    if (entry.endsWith('.sock') || entry.endsWith('.qmp')) await rm(path.join(dir, entry), { force: true });
  }
  // QEMU writes (and locks) the pid file itself and removes it when it exits; only a SIGKILL leaves it.
  return launchQemu({
    dir,
    ...DEMO_VM_SPEC,
    disks: [...DEMO_VM_SPEC.disks],
    extraArgs: ['-pidfile', path.join(dir, PID_FILE)],
  });
}
