// 8. The fleet on NATS: a real nats-server, one host console on a real QEMU with a failing disk, one
// fleet console (both in this process). Events per second from the host's journal to the fleet's
// (through JetStream and the durable consumer), and query-status through the fleet (request/reply to
// the host) against the same command on the host itself.

import { startTestConsole, type TestConsole } from '../../proxy/test-support/console.ts';
import { eventually } from '../../proxy/test-support/eventually.ts';
import { startTestFleet, type TestFleet } from '../../proxy/test-support/fleet.ts';
import { startTestNats, type TestNats } from '../../proxy/test-support/nats.ts';
import { connectQmp, type QmpSocketClient } from '../../proxy/test-support/qmp-socket-client.ts';
import { connectConsole, negotiate } from '../lib/links.ts';
import { roundTrips } from '../lib/measure.ts';
import { type BenchQemu, bootBenchQemu } from '../lib/qemu.ts';
import type { Report } from '../lib/report.ts';
import { percentile, ratio, round } from '../lib/stats.ts';

const SECTION = '9. Fleet on NATS JetStream';
const HOST = 'bench-host';
const STORM_ROUNDS = 3000;
const ROUNDS = 3;
const PER_ROUND = 400;

/** `cont` after each STOP on the failing disk: three events a round. */
function storm(truth: QmpSocketClient, rounds: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = rounds;
    const off = truth.onEvent((e) => {
      if (e.event !== 'STOP') return;
      if (--left > 0) truth.execute('cont').catch(reject);
      else {
        off();
        resolve();
      }
    });
    truth.execute('cont').catch(reject);
  });
}

export async function fleetSection(report: Report): Promise<void> {
  let nats: TestNats | null = null;
  let qemu: BenchQemu | null = null;
  let host: TestConsole | null = null;
  let fleet: TestFleet | null = null;
  let truth: QmpSocketClient | null = null;
  try {
    nats = await startTestNats();
    qemu = await bootBenchQemu({ name: 'fleet', secondMonitor: true, disks: [{ id: 'bad0', fail: 'eio' }] });
    host = await startTestConsole({
      vms: { vm: qemu.qmpPath },
      args: ['--nats', nats.url, '--host-name', HOST],
    });
    fleet = await startTestFleet({ natsUrl: nats.url });
    const h = host;
    const f = fleet;
    await eventually(
      'the fleet to see the VM',
      () => (f.running.directory.summary(`vm@${HOST}`)?.state === 'connected' ? true : undefined),
      30_000,
    );
    truth = await connectQmp(qemu.secondMonitorPath!);
    await truth.negotiate();

    // Events: from the storm's first `cont` until the fleet has committed the host's last record.
    const from = h.running.journal.headSeq;
    const t0 = performance.now();
    await storm(truth, STORM_ROUNDS);
    const hostDone = performance.now();
    const events = h.running.journal.headSeq - from;
    await eventually(
      'the fleet to catch up',
      () => (f.running.ingest.committedSeq(HOST) >= h.running.journal.headSeq ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 5 },
    );
    const fleetDone = performance.now();
    const hostRate = events / ((hostDone - t0) / 1000);
    const fleetRate = events / ((fleetDone - t0) / 1000);
    const lagMs = fleetDone - hostDone;

    // Catch-up: a storm while the fleet console is down, then the time it takes to drain the stream's
    // backlog into its journal (what bounds a fleet restart, and how far it can fall behind).
    const dataDir = f.dataDir;
    await f.running.stop();
    await storm(truth, STORM_ROUNDS);
    await eventually(
      'the host to publish the storm',
      () => (h.running.fleetLink!.publisher.ackedSeq >= h.running.journal.headSeq ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 5 },
    );
    const behind = h.running.journal.headSeq - f.running.ingest.committedSeq(HOST);
    const t1 = performance.now();
    fleet = await startTestFleet({ natsUrl: nats.url, dataDir });
    const f2 = fleet;
    await eventually(
      'the restarted fleet to catch up',
      () => (f2.running.ingest.committedSeq(HOST) >= h.running.journal.headSeq ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 5 },
    );
    const catchUpRate = behind / ((performance.now() - t1) / 1000);

    // Latency: the same query-status, on the host and through the fleet, in alternating rounds.
    const samples: Record<'host' | 'fleet', number[]> = { host: [], fleet: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const which of r % 2 === 0 ? (['host', 'fleet'] as const) : (['fleet', 'host'] as const)) {
        const c = which === 'host' ? h : f2;
        const link = await connectConsole(
          c.wsUrl(which === 'host' ? 'vm' : `vm@${HOST}`),
          c.authHeaders,
          which,
        );
        await negotiate(link);
        await roundTrips(link, 50);
        samples[which].push(...(await roundTrips(link, PER_ROUND)));
        await link.close();
      }
    }
    const p = (w: 'host' | 'fleet', q: number) => percentile(samples[w], q);
    report.data.fleet = {
      stormRounds: STORM_ROUNDS,
      events,
      hostEventsPerSecond: round(hostRate),
      fleetEventsPerSecond: round(fleetRate),
      fleetLagMs: round(lagMs),
      catchUp: { events: behind, eventsPerSecond: round(catchUpRate) },
      latencyUs: {
        host: { p50: round(p('host', 50)), p99: round(p('host', 99)) },
        fleet: { p50: round(p('fleet', 50)), p99: round(p('fleet', 99)) },
      },
    };
    report.info({
      section: SECTION,
      figure: 'events through NATS to the fleet journal',
      value: fleetRate,
      unit: 'events/s',
      reference: `host journal ${round(hostRate)} events/s`,
      versus: `${events} events, fleet done ${round(lagMs)} ms after the host`,
    });
    report.info({
      section: SECTION,
      figure: 'restarted fleet draining the stream',
      value: catchUpRate,
      unit: 'events/s',
      reference: `${behind} events behind`,
      versus: 'start to caught up, consumer + journal',
    });
    report.info({
      section: SECTION,
      figure: 'query-status p50 through the fleet (request/reply)',
      value: p('fleet', 50),
      unit: 'µs',
      reference: `on the host ${round(p('host', 50))} µs`,
      versus: `×${round(ratio(p('fleet', 50), p('host', 50)))}, +${round(p('fleet', 50) - p('host', 50))} µs; p99 ${round(p('fleet', 99))} vs ${round(p('host', 99))} µs`,
    });
  } finally {
    await truth?.close().catch(() => {});
    await fleet?.stop().catch(() => {});
    await host?.stop().catch(() => {});
    await qemu?.dispose().catch(() => {});
    await nats?.stop().catch(() => {});
  }
}
