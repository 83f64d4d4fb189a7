// The NATS permissions docs/fleet.md gives, on a real nats-server: a host console with them works end
// to end with a fleet console; what it may not do (another host's events, keys, commands) is refused.
import { readFileSync } from 'node:fs';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VmSummary } from '../../protocol/api.ts';
import type { AuditList } from '../../protocol/journal.ts';
import { startTestConsole, type TestConsole } from '../test-support/console.ts';
import { eventually } from '../test-support/eventually.ts';
import { startTestFleet, type TestFleet } from '../test-support/fleet.ts';
import { startTestNats, type TestNats } from '../test-support/nats.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectWsQmp } from '../test-support/ws-qmp-client.ts';
import { EVENT_STREAM } from './subjects.ts';

/** The configuration block of docs/fleet.md, as a reader would copy it. */
function documentedConfig(): string {
  const doc = readFileSync('docs/fleet.md', 'utf8');
  const m = /<!-- fleet-permissions:begin -->\s*```conf\n([\s\S]*?)```\s*<!-- fleet-permissions:end -->/.exec(
    doc,
  );
  if (!m) throw new Error('docs/fleet.md has no fleet-permissions block');
  return m[1]!;
}

const qemu = useQemu();
let nats: TestNats;
let host: TestConsole;
let fleet: TestFleet;
const clients: NatsConnection[] = [];

beforeAll(async () => {
  nats = await startTestNats({ config: documentedConfig() });
  host = await startTestConsole({
    vms: { vm: qemu().qmpPath },
    args: ['--nats', nats.url, '--host-name', 'host-a', '--nats-user', 'host-a'],
    env: { QMP_CONSOLE_NATS_PASSWORD: 'change-me-host-a' },
    start: { upstream: { initialBackoffMs: 20 } },
  });
  fleet = await startTestFleet({
    natsUrl: nats.url,
    name: 'fleet1',
    args: ['--nats-user', 'fleet1'],
    env: { QMP_CONSOLE_NATS_PASSWORD: 'change-me-fleet1' },
  });
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await fleet?.stop();
  await host?.stop();
  await nats?.stop();
});

/** Another process holding host-a's credentials (a compromised or misconfigured host). */
async function asHostA(): Promise<NatsConnection> {
  const nc = await connect({
    servers: nats.url,
    user: 'host-a',
    pass: 'change-me-host-a',
    inboxPrefix: '_INBOX_host-a',
  });
  clients.push(nc);
  return nc;
}

describe('the documented host permissions', () => {
  it('let a host console publish its events and VMs and answer the fleet', async () => {
    const vm = await eventually('vm@host-a connected in the fleet', async () => {
      const list = (await (await fleet.api('/api/vms')).json()) as VmSummary[];
      return list.find((v) => v.name === 'vm@host-a' && v.state === 'connected');
    });
    expect(vm.host).toBe('host-a');
    await eventually('host-a events in the fleet journal', async () =>
      fleet.running.ingest.committedSeq('host-a') >= host.running.journal.headSeq &&
      host.running.journal.headSeq > 0
        ? true
        : undefined,
    );
    const ws = await connectWsQmp(fleet.wsUrl('vm@host-a'), { headers: fleet.authHeaders });
    await ws.negotiate();
    expect(await ws.execute('query-status', undefined, 1)).toMatchObject({
      return: { status: 'prelaunch' },
      id: 1,
    });
    ws.close();
    const audit = (await (await host.api('/api/audit?limit=5')).json()) as AuditList;
    expect(audit.records[0]).toMatchObject({
      command: 'query-status',
      role: 'operator',
      remote: expect.stringMatching(/^fleet fleet1 /),
    });
  });

  it("refuse another host's events, keys and commands", async () => {
    const nc = await asHostA();
    const js = jetstream(nc, { timeout: 2000 });
    await expect(js.publish('qmp.events.host-b.vm.STOP', '{}', { msgID: 'host-b:1' })).rejects.toThrow(
      /Permissions Violation for Publish to "qmp\.events\.host-b\.vm\.STOP"/,
    );
    const kv = await new Kvm(js).open('qmp_vms');
    await expect(kv.put('host-b.vm', '{}')).rejects.toThrow(/Permissions Violation for Publish/);
    // Taking another host's commands: the server refuses the subscription.
    const sub = nc.subscribe('qmp.cmd.host-b.*');
    const ended = await sub.closed;
    expect(String(ended)).toMatch(/Permissions Violation for Subscription to "qmp\.cmd\.host-b\.\*"/);
    // Nothing of host-b reached the stream.
    const fleetSide = await connect({
      servers: nats.url,
      user: 'fleet1',
      pass: 'change-me-fleet1',
      inboxPrefix: '_INBOX_fleet1',
    });
    clients.push(fleetSide);
    const info = await (await jetstreamManager(fleetSide)).streams.info(EVENT_STREAM, {
      subjects_filter: 'qmp.events.host-b.>',
    });
    expect(info.state.subjects ?? {}).toEqual({});
  });
});
