// Two host consoles on two real QEMUs, one fleet console, one real nats-server: a NATS crash during
// event storms on both hosts loses nothing and duplicates nothing; commands, alerts and liveness work
// across hosts; a restarted fleet console resumes where it stopped.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleStreamMessage, VmSummary } from '../../protocol/api.ts';
import type { AlertList, AuditList, JournalRecord } from '../../protocol/journal.ts';
import { startTestConsole, type TestConsole } from '../test-support/console.ts';
import { eventually } from '../test-support/eventually.ts';
import { startTestFleet, type TestFleet } from '../test-support/fleet.ts';
import { startTestNats, type TestNats } from '../test-support/nats.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectQmp, type QmpSocketClient } from '../test-support/qmp-socket-client.ts';
import { connectSse } from '../test-support/sse-client.ts';
import { connectWsQmp } from '../test-support/ws-qmp-client.ts';

const HOST_A = 'host-a';
// A dotted (FQDN-like) name: subjects and keys must keep it one token.
const HOST_B = 'host-b.example';
const qemuA = useQemu({ secondMonitor: true, disks: [{ id: 'bad0', fail: 'eio' }] });
const qemuB = useQemu({ secondMonitor: true, disks: [{ id: 'bad0', fail: 'eio' }] });
let nats: TestNats;
let hostA: TestConsole;
let hostB: TestConsole;
let fleet: TestFleet;
let truthA: QmpSocketClient;
let truthB: QmpSocketClient;
let hostAStopped = false;

const hostOptions = (name: string) => ({
  args: ['--nats', nats.url, '--host-name', name],
  start: { upstream: { initialBackoffMs: 20 }, hostLink: { heartbeatMs: 500 } },
});

beforeAll(async () => {
  nats = await startTestNats();
  [truthA, truthB] = await Promise.all([
    connectQmp(qemuA().secondMonitorPath!),
    connectQmp(qemuB().secondMonitorPath!),
  ]);
  await Promise.all([truthA.negotiate(), truthB.negotiate()]);
  [hostA, hostB] = await Promise.all([
    startTestConsole({ vms: { vm: qemuA().qmpPath }, ...hostOptions(HOST_A) }),
    startTestConsole({ vms: { vm: qemuB().qmpPath }, ...hostOptions(HOST_B) }),
  ]);
  fleet = await startTestFleet({ natsUrl: nats.url });
}, 60_000);

afterAll(async () => {
  await truthA?.close();
  await truthB?.close();
  await fleet?.stop();
  if (!hostAStopped) await hostA?.stop();
  await hostB?.stop();
  await nats?.stop();
});

/** `cont` after each STOP on the failing disk: RESUME, BLOCK_IO_ERROR, STOP per round. */
function storm(truth: QmpSocketClient, rounds: number, onRound?: (left: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = rounds;
    const off = truth.onEvent((e) => {
      if (e.event !== 'STOP') return;
      onRound?.(left);
      if (--left > 0) truth.execute('cont').catch(reject);
      else {
        off();
        resolve();
      }
    });
    truth.execute('cont').catch(reject);
  });
}

async function ndjson(api: (p: string) => Promise<Response>, path: string): Promise<JournalRecord[]> {
  const text = await (await api(path)).text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JournalRecord);
}

async function vms(api: (p: string) => Promise<Response>): Promise<VmSummary[]> {
  return (await (await api('/api/vms')).json()) as VmSummary[];
}

/** The fleet has committed every record each host has journaled. */
async function fleetCaughtUp(): Promise<void> {
  await eventually(
    'the fleet to hold every host record',
    () =>
      fleet.running.ingest.committedSeq(HOST_A) === hostA.running.journal.headSeq &&
      fleet.running.ingest.committedSeq(HOST_B) === hostB.running.journal.headSeq
        ? true
        : undefined,
    60_000,
  );
}

/** The fleet's journal is the union of the hosts' journals: each host's records, in its seq order, once. */
async function expectUnion(): Promise<number> {
  const fleetRecords = await ndjson(fleet.api, '/api/events?order=asc&format=ndjson');
  let total = 0;
  for (const host of [hostA, hostB]) {
    const name = host === hostA ? HOST_A : HOST_B;
    const own = await ndjson(host.api, '/api/events?order=asc&format=ndjson');
    const suffix = `@${name}`;
    const theirs = fleetRecords.filter((r) => r.vm.endsWith(suffix));
    expect(theirs.length, `records of ${name}`).toBe(own.length);
    for (const [i, r] of own.entries()) {
      const f = theirs[i]!;
      const expected = {
        vm: r.vm === '' ? suffix : `${r.vm}${suffix}`,
        event: r.event,
        data: r.data,
        timestamp: r.timestamp,
        source: r.source,
      };
      const got = { vm: f.vm, event: f.event, data: f.data, timestamp: f.timestamp, source: f.source };
      if (JSON.stringify(got) !== JSON.stringify(expected))
        expect(got, `${name} seq ${r.seq} is fleet seq ${f.seq}`).toEqual(expected);
    }
    // Fleet seqs strictly increase: no record was written twice.
    expect(new Set(theirs.map((r) => r.seq)).size).toBe(theirs.length);
    total += own.length;
  }
  expect(fleetRecords.length).toBe(total);
  return total;
}

describe('a fleet of two hosts on NATS JetStream', () => {
  it("lists both hosts' VMs as VM@HOST with their host", async () => {
    const list = await eventually('both VMs connected in the fleet', async () => {
      const l = await vms(fleet.api);
      return l.length === 2 && l.every((v) => v.state === 'connected') ? l : undefined;
    });
    expect(list.map((v) => [v.name, v.host])).toEqual([
      [`vm@${HOST_A}`, HOST_A],
      [`vm@${HOST_B}`, HOST_B],
    ]);
    expect(list[0]!.version?.qemu.major).toBe(7);
    // The run state each host keeps, carried through KV.
    expect(list.map((v) => v.runState?.status)).toEqual(['prelaunch', 'prelaunch']);
    // And the console's own stream starts with the same fleet.
    const stream = await connectSse(new URL('api/stream', fleet.url).toString(), fleet.authHeaders);
    const first = await stream.waitFor((m) => m.event === 'snapshot');
    stream.close();
    const snapshot = JSON.parse(first.data) as ConsoleStreamMessage & { type: 'snapshot' };
    expect(snapshot.vms.map((v) => [v.name, v.host, v.state])).toEqual([
      [`vm@${HOST_A}`, HOST_A, 'connected'],
      [`vm@${HOST_B}`, HOST_B, 'connected'],
    ]);
  });

  it('keeps every event of both hosts through a NATS crash in a storm, each once and in order', async () => {
    const ROUNDS = 2500;
    let killAt: Promise<void> | null = null;
    const killed = new Promise<void>((resolve) => {
      killAt = storm(truthA, ROUNDS, (left) => {
        if (left === ROUNDS - 200) resolve();
      });
    });
    const stormB = storm(truthB, ROUNDS);
    await killed;
    await nats.kill9();
    const headsAtKill = [hostA.running.journal.headSeq, hostB.running.journal.headSeq];
    // The hosts keep journaling alone while NATS is down.
    await eventually('both hosts to journal events while NATS is down', () =>
      hostA.running.journal.headSeq > headsAtKill[0]! + 300 &&
      hostB.running.journal.headSeq > headsAtKill[1]! + 300
        ? true
        : undefined,
    );
    expect(hostA.running.fleetLink!.publisher.ackedSeq).toBeLessThan(hostA.running.journal.headSeq);
    await nats.restart();
    await Promise.all([killAt!, stormB]);
    await fleetCaughtUp();
    const total = await expectUnion();
    expect(total).toBeGreaterThan(2 * 3 * ROUNDS);
  }, 180_000);

  it("runs a browser's QMP session on another host through request/reply, audited there with the fleet and role", async () => {
    const ws = await connectWsQmp(fleet.wsUrl(`vm@${HOST_B}`), { headers: fleet.authHeaders });
    const greeting = await ws.nth(0);
    expect(greeting).toHaveProperty('QMP.version.qemu.major', 7);
    await ws.negotiate();
    const status = await ws.execute('query-status', undefined, { mine: 1 });
    expect(status).toEqual({ return: expect.objectContaining({ status: 'io-error' }), id: { mine: 1 } });
    // An event QEMU sends after `cont` reaches the fleet client too, from the stream.
    const from = ws.messages.length;
    await ws.execute('cont', undefined, 7);
    await ws.waitFor((m) => m.event === 'STOP' && ws.messages.indexOf(m) >= from, 20_000);
    ws.close();
    const audit = await eventually('host-b audits the fleet command', async () => {
      const list = (await (await hostB.api('/api/audit?limit=20')).json()) as AuditList;
      return list.records.find((r) => r.command === 'cont' && r.remote.startsWith('fleet fleet-1'));
    });
    expect(audit).toMatchObject({ vm: 'vm', role: 'operator', outcome: 'ok' });
  }, 60_000);

  it("shows every host's alert with the host named; an acknowledgement on the fleet reaches the host", async () => {
    const open = await eventually('the fleet alert of host-b', async () => {
      const list = (await (await fleet.api('/api/alerts?state=open')).json()) as AlertList;
      return list.alerts.find((a) => a.vm === `vm@${HOST_B}`);
    });
    expect(open).toMatchObject({ event: 'BLOCK_IO_ERROR', device: 'bad0', reason: 'Input/output error' });
    const res = await fleet.api(`/api/alerts/${open.id}/ack`, { method: 'POST' });
    expect(res.status).toBe(200);
    const onHost = await eventually('host-b to see the acknowledgement', async () => {
      const list = (await (await hostB.api('/api/alerts?state=acknowledged')).json()) as AlertList;
      return list.alerts.find((a) => a.device === 'bad0');
    });
    expect(onHost.acknowledgedBy).toMatch(/^fleet fleet-1: operator@/);

    // And the other way: acknowledged on host-a, acknowledged in the fleet.
    const onA = (await (await hostA.api('/api/alerts?state=open')).json()) as AlertList;
    expect(onA.alerts).toHaveLength(1);
    expect((await hostA.api(`/api/alerts/${onA.alerts[0]!.id}/ack`, { method: 'POST' })).status).toBe(200);
    const inFleet = await eventually('the fleet to see host-a acknowledge', async () => {
      const list = (await (await fleet.api('/api/alerts?state=acknowledged')).json()) as AlertList;
      return list.alerts.find((a) => a.vm === `vm@${HOST_A}`);
    });
    expect(inFleet.acknowledgedBy).toMatch(/^host host-a: operator@/);
    const stillOpen = (await (await fleet.api('/api/alerts?state=open')).json()) as AlertList;
    expect(stillOpen.alerts).toEqual([]);
  }, 60_000);

  it('resumes after a fleet console restart with nothing lost', async () => {
    const dataDir = fleet.dataDir;
    await fleet.running.stop();
    await Promise.all([storm(truthA, 300), storm(truthB, 300)]);
    fleet = await startTestFleet({ natsUrl: nats.url, dataDir });
    await fleetCaughtUp();
    await expectUnion();
  }, 120_000);

  it("shows a killed host console's VMs disconnected within 10 s", async () => {
    await hostA.stop();
    hostAStopped = true;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-test-'));
    // host-a again, as its own process this time, so it can be killed outright.
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'proxy/main.ts',
        '--listen',
        '127.0.0.1:0',
        '--no-auth',
        '--data-dir',
        dataDir,
        '--target',
        `vm=unix:${qemuA().qmpPath}`,
        '--nats',
        nats.url,
        '--host-name',
        HOST_A,
      ],
      { env: { ...process.env, QMP_CONSOLE_LOG: 'warn' }, stdio: 'ignore' },
    );
    try {
      await eventually(
        'host-a back and connected',
        async () => {
          const v = (await vms(fleet.api)).find((s) => s.name === `vm@${HOST_A}`);
          return v?.state === 'connected' && Date.parse(v.since) > Date.now() - 60_000 ? v : undefined;
        },
        60_000,
      );
      const killedAt = Date.now();
      child.kill('SIGKILL');
      const gone = await eventually(
        'host-a VMs disconnected',
        async () => {
          const v = (await vms(fleet.api)).find((s) => s.name === `vm@${HOST_A}`);
          return v?.state === 'disconnected' ? v : undefined;
        },
        15_000,
      );
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      expect(gone.error).toMatch(/host console host-a not heard from/);
      expect(Date.parse(gone.since)).toBeLessThanOrEqual(killedAt);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
