// `--deny` holds through the two commands that run other commands: `human-monitor-command` (its HMP
// line) and `transaction` (each action). QEMU's second monitor is the ground truth: nothing ran.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JsonObject } from '../../protocol/qmp.ts';
import { startTestConsole, TEST_TOKEN, type TestConsole } from '../test-support/console.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectQmp, type QmpSocketClient } from '../test-support/qmp-socket-client.ts';
import { connectWsQmp, type WsQmpClient } from '../test-support/ws-qmp-client.ts';

process.env.QMP_CONSOLE_LOG ??= 'error';

const qemu = useQemu({ secondMonitor: true, disks: [{ id: 'disk0' }] });
let monitor2: QmpSocketClient;
let tc: TestConsole;
let op: WsQmpClient;

beforeAll(async () => {
  monitor2 = await connectQmp(qemu().secondMonitorPath!);
  await monitor2.negotiate();
  tc = await startTestConsole({
    vms: { vm: qemu().qmpPath },
    args: ['--deny', 'cont', '--deny', 'system_*', '--deny', 'blockdev-snapshot-sync'],
  });
  await vi.waitFor(async () => {
    const [vm] = (await (await tc.api('/api/vms')).json()) as { state: string }[];
    expect(vm?.state).toBe('connected');
  }, 10_000);
  op = await connectWsQmp(tc.wsUrl('vm'), { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
  await op.negotiate();
});
afterAll(async () => {
  op?.close();
  await tc?.stop();
  await monitor2?.close();
});

async function untouched(): Promise<void> {
  expect(((await monitor2.call('query-status')) as JsonObject).status).toBe('prelaunch');
  expect(monitor2.events.map((e) => e.event)).toEqual([]);
}

describe('--deny through human-monitor-command and transaction', () => {
  it('refuses HMP lines that run a denied command (cont, its alias c, system_reset); QEMU runs none', async () => {
    for (const line of ['cont', 'c', 'system_reset', 'system_powerdown'])
      expect(await op.execute('human-monitor-command', { 'command-line': line }, line)).toMatchObject({
        id: line,
        error: {
          class: 'GenericError',
          desc: expect.stringMatching(
            /^QMP Console policy denies '(cont|system_\w+)' to every role \(--deny/,
          ),
        },
      });
    // HMP with no QMP twin cannot be checked, so it is refused while a --deny is in force.
    expect(await op.execute('human-monitor-command', { 'command-line': 'singlestep on' }, 's')).toMatchObject(
      {
        error: { desc: expect.stringContaining("denies HMP 'singlestep' while --deny is in force") },
      },
    );
    // What the policy allows still runs.
    expect(await op.execute('human-monitor-command', { 'command-line': 'info status' }, 'i')).toEqual({
      id: 'i',
      return: 'VM status: paused (prelaunch)\r\n',
    });
    await untouched();
  });

  it('refuses a transaction holding a denied action; no snapshot file is created', async () => {
    const overlay = path.join(qemu().dir, 'overlay.qcow2');
    const actions = [
      {
        type: 'blockdev-snapshot-sync',
        data: { device: 'disk0', 'snapshot-file': overlay, format: 'qcow2' },
      },
    ];
    expect(await op.execute('transaction', { actions }, 't')).toEqual({
      id: 't',
      error: {
        class: 'GenericError',
        desc: "QMP Console policy denies 'blockdev-snapshot-sync' to every role (--deny 'blockdev-snapshot-sync'): 'transaction' action runs it",
      },
    });
    expect(existsSync(overlay)).toBe(false);
    const [block] = (await monitor2.call('query-block')) as { inserted: { file: string } }[];
    expect(block?.inserted.file).not.toContain('overlay');
    await untouched();
  });
});
