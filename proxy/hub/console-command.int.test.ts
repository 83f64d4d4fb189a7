// The console's own commands to a real QEMU: answers, QMP errors with their class, QEMU going away.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestConsole, type TestConsole } from '../test-support/console.ts';
import { bootQemu, type TestQemu } from '../test-support/qemu.ts';
import { ConsoleCommandError } from './console-command.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function connected(): Promise<{ qemu: TestQemu; running: TestConsole }> {
  const qemu = await bootQemu();
  cleanups.push(() => qemu.dispose());
  const running = await startTestConsole({ vms: { vm: qemu.qmpPath } });
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
  return { qemu, running };
}

describe('VmHub.execute', () => {
  it("resolves with QEMU's return value and rejects with the error class", async () => {
    const { running } = await connected();
    const vm = running.running.hub.get('vm')!;
    await expect(vm.execute('query-status')).resolves.toMatchObject({ status: 'prelaunch', running: false });
    const err = await vm.execute('no-such-command').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsoleCommandError);
    expect(err).toMatchObject({ reason: 'qmp-error', errorClass: 'CommandNotFound' });
  });

  it('rejects as lost when QEMU quits before answering, and as not connected afterwards', async () => {
    const { qemu, running } = await connected();
    const vm = running.running.hub.get('vm')!;
    // `quit` is answered, then QEMU exits: a command sent right behind it is never answered.
    const quit = vm.execute('quit');
    const after = vm.execute('query-status', undefined, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    await quit;
    await qemu.exited;
    expect(await after).toMatchObject({ reason: 'lost' });
    await expect(vm.execute('query-status')).rejects.toMatchObject({ reason: 'not-connected' });
  });
});
