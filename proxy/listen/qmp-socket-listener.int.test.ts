// `--listen-qmp` against a real QEMU: the console stops while a plain-socket client is connected.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, type TestConsole } from '../test-support/console.ts';
import { eventually } from '../test-support/eventually.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectQmp } from '../test-support/qmp-socket-client.ts';
import { connectRawQmp } from '../test-support/raw-qmp-socket.ts';

const qemu = useQemu();
let socketDir: string;

beforeAll(() => {
  socketDir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-int-'));
});

afterAll(() => {
  rmSync(socketDir, { recursive: true, force: true });
});

async function connectedConsole(qmpSocketPath: string, args: string[] = []): Promise<TestConsole> {
  const running = await startTestConsole({
    vms: { vm: qemu().qmpPath },
    args: ['--listen-qmp', `vm=unix:${qmpSocketPath}`, ...args],
  });
  const vm = running.running.hub.get('vm')!;
  await eventually('the VM to connect', () => (vm.upstream.status.state === 'connected' ? true : undefined));
  return running;
}

describe('--listen-qmp', () => {
  it('stops the console promptly while a qmp-shell client is still connected, closing that client', async () => {
    const qmpSocketPath = path.join(socketDir, 'shared.qmp');
    const running = await connectedConsole(qmpSocketPath);
    const client = await connectQmp(qmpSocketPath);
    await client.negotiate();
    expect(await client.call('query-status')).toMatchObject({ status: 'prelaunch' });
    const stopped = running.stop().then(() => 'stopped' as const);
    const timeout = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 3000).unref());
    const outcome = await Promise.race([stopped, timeout]);
    await client.close();
    expect(outcome).toBe('stopped');
    await client.closed;
  });

  it("applies the policy to what follows QEMU's nesting reset: the inner command is a command of its own", async () => {
    const qmpSocketPath = path.join(socketDir, 'deny.qmp');
    const running = await connectedConsole(qmpSocketPath, ['--deny', 'cont']);
    const client = await connectRawQmp(qmpSocketPath);
    try {
      client.write('{"execute":"qmp_capabilities"}');
      await client.readUntil(1, () => true);
      client.write(
        `{"execute":"query-status","arguments":{"x":${'['.repeat(1023)}{"execute":"cont","id":"inner"}`,
      );
      const lines = await client.readUntil(2, (l) => l.includes('"inner"'));
      expect(lines).toEqual([
        '{"error": {"class": "GenericError", "desc": "JSON nesting depth limit exceeded"}}',
        expect.stringMatching(
          /^\{"id": "inner", "error": \{"class": "GenericError", "desc": "QMP Console policy denies 'cont'/,
        ),
      ]);
      client.write('{"execute":"query-status","id":"after"}');
      const [after] = await client.readUntil(4, (l) => l.includes('"after"'));
      expect(JSON.parse(after!)).toMatchObject({ return: { status: 'prelaunch' } });
    } finally {
      client.destroy();
      await running.stop();
    }
  });
});
