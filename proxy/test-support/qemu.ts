// Real QEMUs for the integration and e2e tests: each in its own temporary directory, every one of them
// killed when the test process ends, however it ends (a timed-out test, Ctrl-C, a SIGTERM from the runner).
// A missing QEMU fails the run with launchQemu's install hint: these tests never skip.
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type LaunchQemuOptions, launchQemu, type QemuInstance } from '../qemu/launch-qemu.ts';
import { killOnExit } from './kill-on-exit.ts';

export interface TestQemu extends QemuInstance {
  /** Stops QEMU and removes its temporary directory. Safe to call twice. */
  dispose(): Promise<void>;
}

const live = new Set<{ pid: number; dir: string }>();

/** Synchronous on purpose: it also runs from process.on('exit'), where nothing asynchronous gets to run. */
function killAll(): void {
  for (const entry of live) {
    // pid 0 is "not spawned yet"; process.kill(0) would signal our whole process group.
    if (entry.pid > 0) {
      try {
        process.kill(entry.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(entry.dir, { recursive: true, force: true });
  }
  live.clear();
}

function installHandlers(): void {
  killOnExit(killAll);
}

/** Boots a QEMU (paused, `-S`) in a fresh `qmp-console-test-*` directory under the system temp dir. */
export async function bootQemu(opts: Omit<LaunchQemuOptions, 'dir'> = {}): Promise<TestQemu> {
  installHandlers();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qmp-console-test-'));
  // Tracked from the spawn on, so a signal during the boot cannot orphan it either.
  const entry = { pid: 0, dir };
  live.add(entry);
  let instance: QemuInstance;
  try {
    instance = await launchQemu({
      ...opts,
      dir,
      onSpawn: (pid) => {
        entry.pid = pid;
        opts.onSpawn?.(pid);
      },
    });
  } catch (err) {
    live.delete(entry);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  // Once it has exited (a test's `quit`, a crash) its pid may be reused: never signal it again.
  void instance.exited.then(() => {
    entry.pid = 0;
  });
  let disposing: Promise<void> | null = null;
  const dispose = (): Promise<void> => {
    disposing ??= (async () => {
      await instance.stop();
      await rm(dir, { recursive: true, force: true });
      live.delete(entry);
    })();
    return disposing;
  };
  return Object.assign(instance, { dispose });
}

/**
 * Vitest: boots one QEMU for the enclosing `describe` (or file) in `beforeAll`, disposes it in `afterAll`.
 * Returns a getter to call inside tests and later hooks.
 */
export function useQemu(opts: Omit<LaunchQemuOptions, 'dir'> = {}): () => TestQemu {
  let vm: TestQemu | null = null;
  beforeAll(async () => {
    vm = await bootQemu(opts);
  });
  afterAll(async () => {
    await vm?.dispose();
    vm = null;
  });
  return () => {
    if (!vm) throw new Error('useQemu: no QEMU yet; call the getter inside a test or a later hook');
    return vm;
  };
}
