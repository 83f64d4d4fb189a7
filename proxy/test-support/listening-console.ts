// A real console in front of one test QEMU (`vm`), also offering it on a unix `--listen-qmp` socket the
// way qmp-shell is pointed at it; ready (QMP session up) before the file's tests run, gone after.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startTestConsole, type TestConsole } from './console.ts';
import type { TestQemu } from './qemu.ts';

export interface ListeningConsole {
  console(): TestConsole;
  /** The console's `--listen-qmp` socket for `vm`. */
  socketPath(): string;
}

export function useListeningConsole(qemu: () => TestQemu): ListeningConsole {
  let socketDir: string | undefined;
  let running: TestConsole | undefined;
  beforeAll(async () => {
    socketDir = mkdtempSync(path.join(os.tmpdir(), 'qmp-listen-'));
    running = await startTestConsole({
      vms: { vm: qemu().qmpPath },
      args: ['--listen-qmp', `vm=unix:${path.join(socketDir, 'shared.qmp')}`],
    });
    const vm = running.running.hub.get('vm')!;
    if (vm.upstream.status.state !== 'connected')
      await new Promise<void>((r) => vm.onStatus((_v, s) => s.state === 'connected' && r()));
  });
  afterAll(async () => {
    await running?.stop();
    if (socketDir) rmSync(socketDir, { recursive: true, force: true });
  });
  return {
    console: () => running!,
    socketPath: () => path.join(socketDir!, 'shared.qmp'),
  };
}
