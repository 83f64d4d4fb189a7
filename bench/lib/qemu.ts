// The bench's QEMUs: launchQemu (the console's own launcher) in a short temporary directory, tracked
// so that every QEMU is killed by pid however the run ends.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type LaunchQemuOptions, launchQemu } from '../../proxy/qemu/launch-qemu.ts';
import { trackPid } from './processes.ts';

export interface BenchQemu {
  pid: number;
  qmpPath: string;
  secondMonitorPath: string | null;
  dispose(): Promise<void>;
}

export async function bootBenchQemu(
  opts: Omit<LaunchQemuOptions, 'dir' | 'onSpawn'> = {},
): Promise<BenchQemu> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qmpb-'));
  let untrack = () => {};
  try {
    const vm = await launchQemu({
      ...opts,
      dir,
      onSpawn: (pid) => {
        untrack = trackPid('qemu', pid);
      },
    });
    return {
      pid: vm.pid,
      qmpPath: vm.qmpPath,
      secondMonitorPath: vm.secondMonitorPath,
      async dispose() {
        await vm.stop();
        untrack();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    untrack();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Disposes every QEMU given, in parallel, never throwing. */
export async function disposeAll(vms: (BenchQemu | null | undefined)[]): Promise<void> {
  await Promise.all(vms.map((vm) => vm?.dispose().catch(() => {})));
}
