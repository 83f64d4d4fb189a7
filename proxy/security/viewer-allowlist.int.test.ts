// What a viewer may run must not be able to hurt the VM. Some QMP commands instantiate an object of
// any type the client names, and in QEMU 7.2 some types abort QEMU there. The scan below runs every
// type-taking command on every type `qom-list-types` names, against a real QEMU, and checks that each
// command that killed QEMU for any type is refused to viewers. A command QEMU never answered because it
// died is audited as `lost`.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { decideCommand, VIEWER_ALLOW } from '../../protocol/command-policy.ts';
import type { AuditList, CommandRecord } from '../../protocol/journal.ts';
import type { JsonObject } from '../../protocol/qmp.ts';
import { startTestConsole, TEST_TOKEN, TEST_VIEWER_TOKEN } from '../test-support/console.ts';
import { bootQemu, type TestQemu } from '../test-support/qemu.ts';
import { connectQmp, type QmpSocketClient } from '../test-support/qmp-socket-client.ts';
import { connectWsQmp } from '../test-support/ws-qmp-client.ts';

process.env.QMP_CONSOLE_LOG ??= 'error';

const viewerPolicy = { readOnly: false, deny: [], viewerAllow: [...VIEWER_ALLOW] };
const viewerMay = (command: string) => decideCommand(command, 'viewer', viewerPolicy).allowed;

/** Each command that names a QOM type, with its arguments for type T. */
const TYPE_COMMANDS: [string, (type: string) => JsonObject][] = [
  ['device-list-properties', (typename) => ({ typename })],
  ['qom-list-properties', (typename) => ({ typename })],
  ['qom-list-types', (implements_) => ({ implements: implements_, abstract: true })],
];

let qemu: TestQemu | null = null;
afterAll(async () => {
  await qemu?.dispose();
});

async function freshQemu(): Promise<QmpSocketClient> {
  await qemu?.dispose();
  qemu = await bootQemu();
  const client = await connectQmp(qemu.qmpPath);
  await client.negotiate();
  return client;
}

describe('the viewer allowlist', () => {
  it('holds no command that aborts QEMU 7.2 for any type qom-list-types names', async () => {
    let client = await freshQemu();
    const types = ((await client.call('qom-list-types', { abstract: true })) as { name: string }[]).map(
      (t) => t.name,
    );
    expect(types.length).toBeGreaterThan(500);
    const killers = new Map<string, string[]>();
    for (const [command, args] of TYPE_COMMANDS) {
      for (const type of types) {
        const died = await Promise.race([
          client.execute(command, args(type)).then(
            () => false,
            () => true,
          ),
          client.closed.then(() => true),
        ]);
        if (!died) continue;
        killers.set(command, [...(killers.get(command) ?? []), type]);
        client = await freshQemu();
      }
    }
    // What this QEMU 7.2 does (the reason the list is short): instantiating these types aborts it.
    expect(killers.get('qom-list-properties')).toEqual(expect.arrayContaining(['microvm-machine']));
    for (const command of killers.keys())
      expect({ command, viewerMay: viewerMay(command) }).toEqual({
        command,
        viewerMay: false,
      });
    // device-list-properties instantiates types as qom-list-properties does (virtio-gpu-gl-pci aborts
    // when its GL module cannot load): refused as well, whatever this machine's modules.
    expect(viewerMay('device-list-properties')).toBe(false);
    expect(viewerMay('qom-list-types')).toBe(true);
    await client.close();
  }, 300_000);

  it("refuses a viewer's type-instantiating commands, audits an operator's command QEMU died on as lost", async () => {
    await freshQemu().then((c) => c.close());
    const records: CommandRecord[] = [];
    const tc = await startTestConsole({
      vms: { vm: qemu!.qmpPath },
      args: ['--viewer-token', TEST_VIEWER_TOKEN],
      start: { upstream: { initialBackoffMs: 20, maxBackoffMs: 200 }, onCommand: (r) => records.push(r) },
    });
    try {
      await vi.waitFor(async () => {
        const [vm] = (await (await tc.api('/api/vms')).json()) as { state: string }[];
        expect(vm?.state).toBe('connected');
      }, 10_000);
      const viewer = await connectWsQmp(tc.wsUrl('vm'), {
        headers: { authorization: `Bearer ${TEST_VIEWER_TOKEN}` },
      });
      await viewer.negotiate();
      for (const [i, [command, typename]] of [
        ['device-list-properties', 'virtio-gpu-gl-pci'],
        ['qom-list-properties', 'microvm-machine'],
      ].entries())
        expect(await viewer.execute(command!, { typename: typename! }, i)).toEqual({
          id: i,
          error: { class: 'GenericError', desc: `QMP Console policy denies '${command}' to the viewer role` },
        });
      expect(await viewer.execute('query-status', undefined, 'alive')).toMatchObject({ id: 'alive' });
      viewer.close();

      // The operator may; QEMU aborts on it and never answers. The record says so.
      const op = await connectWsQmp(tc.wsUrl('vm'), { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
      await op.negotiate();
      op.send({ execute: 'qom-list-properties', arguments: { typename: 'microvm-machine' }, id: 'boom' });
      await qemu!.exited;
      await vi.waitFor(() =>
        expect(records.filter((r) => r.command === 'qom-list-properties')).toEqual([
          expect.objectContaining({ outcome: 'denied' }),
          expect.objectContaining({ outcome: 'lost', argumentNames: ['typename'] }),
        ]),
      );
      const audit = (await (await tc.api('/api/audit')).json()) as AuditList;
      expect(
        audit.records.find((r) => r.command === 'qom-list-properties' && r.role === 'operator'),
      ).toMatchObject({ outcome: 'lost', vm: 'vm' });
    } finally {
      await tc.stop();
    }
  }, 60_000);
});
