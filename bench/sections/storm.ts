// 3. Event fan-out: a real BLOCK_IO_ERROR storm (a disk failing reads with rerror=stop; `cont` after each
// STOP). First the storm rate with the driver on each path; then the storm driven on QEMU's second
// monitor (as a guest would, whoever watches) delivered through the console to 1, 10 and 100 WebSocket
// clients and an SSE journal stream.

import { connectTcp, negotiate } from '../lib/links.ts';
import { type StormRun, storm } from '../lib/measure.ts';
import { cpuSeconds, memoryMiB, sleep } from '../lib/processes.ts';
import type { Report } from '../lib/report.ts';
import { PATHS, type PathName, type Rig } from '../lib/rig.ts';
import { tsxChild } from '../lib/servers.ts';
import { median, percentile, ratio, round } from '../lib/stats.ts';
import { type Watcher, watchSse, watchWebSocket } from '../lib/watchers.ts';

const ROUNDS = 3;
const ROUND_MS = 1500;
const FAN_OUT_MS = 2000;
const FAN_OUTS = [1, 10, 100];
const RATE = '3. Event storm rate (driver on each path)';
const FAN = '3. Event fan-out (storm on a second monitor)';

export async function stormSection(rig: Rig, report: Report): Promise<void> {
  // The first `cont` boots SeaBIOS up to its first disk read; later ones only retry the read.
  const warm = await rig.open('direct');
  await storm(warm, 500);
  await warm.close();
  const rates = Object.fromEntries(PATHS.map((p) => [p, [] as StormRun[]])) as Record<PathName, StormRun[]>;
  for (let r = 0; r < ROUNDS; r++) {
    for (const path of PATHS.map((_, i) => PATHS[(i + r) % PATHS.length]!)) {
      const link = await rig.open(path);
      rates[path].push(await storm(link, ROUND_MS));
      await link.close();
    }
  }
  const rate = (p: PathName) => median(rates[p].map((x) => x.perSecond));
  const direct = rate('direct');
  report.data.stormRate = Object.fromEntries(
    PATHS.map((p) => [p, { perSecond: round(rate(p)), rounds: rates[p].map((x) => round(x.perSecond)) }]),
  );
  report.info({
    section: RATE,
    figure: 'QEMU events/s, driver direct on the unix socket',
    value: direct,
    unit: 'events/s',
    reference: 'issue: ≈ 8,400 events/s',
  });
  const r = ratio(rate('console'), direct);
  report.goal({
    section: RATE,
    figure: 'driver through the console',
    value: rate('console'),
    unit: 'events/s',
    reference: `direct ${round(direct)} events/s`,
    versus: `×${round(r)} (goal ≥ ×0.8)`,
    ok: r >= 0.8,
  });
  for (const path of ['websockify', 'bridge'] as const)
    report.info({
      section: RATE,
      figure: `driver through ${path}`,
      value: rate(path),
      unit: 'events/s',
      reference: path === 'websockify' ? 'issue: ×0.62' : 'issue: ×0.69',
      versus: `×${round(ratio(rate(path), direct))}`,
    });

  // QEMU's -qmp tcp: keeps Nagle's algorithm on unless nodelay=on: an event, then a reply, waits for
  // the peer's delayed ACK.
  const tcp: Record<string, number> = {};
  for (const kind of ['nagle', 'nodelay'] as const) {
    const link = await connectTcp(rig.tcpPorts[kind], `tcp-${kind}`);
    await negotiate(link);
    tcp[kind] = (await storm(link, 1000)).perSecond;
    await link.close();
  }
  report.data.stormTcp = { nagle: round(tcp.nagle!), nodelay: round(tcp.nodelay!) };
  report.info({
    section: RATE,
    figure: 'driver direct on -qmp tcp: (QEMU default: Nagle on)',
    value: tcp.nagle!,
    unit: 'events/s',
    reference: 'issue: ≈ 68 events/s, 44 ms stalls',
    versus: `×${round(ratio(tcp.nagle!, direct))} of unix`,
  });
  report.info({
    section: RATE,
    figure: 'driver direct on -qmp tcp:…,nodelay=on',
    value: tcp.nodelay!,
    unit: 'events/s',
    versus: `×${round(ratio(tcp.nodelay!, direct))} of unix`,
  });

  const fanOut: Record<string, unknown> = {};
  for (const n of FAN_OUTS) fanOut[n] = await fanOutRun(rig, report, n, direct);
  report.data.fanOut = fanOut;
  const mem = memoryMiB(rig.console.pid);
  report.info({
    section: FAN,
    figure: 'console peak RSS so far (VmHWM)',
    value: mem.peak,
    unit: 'MiB',
    versus: `RSS now ${round(mem.rss)} MiB`,
  });
}

async function fanOutRun(rig: Rig, report: Report, n: number, directRate: number) {
  const c = rig.console;
  const watchers: Watcher[] = [];
  const driver = tsxChild(
    'storm-driver',
    'bench/storm-driver.ts',
    [rig.vm.secondMonitorPath!, String(FAN_OUT_MS)],
    true,
  );
  try {
    for (let i = 0; i < n; i++) watchers.push(await watchWebSocket(c.wsUrl('vm'), c.headers));
    const sse = await watchSse(`${c.url}api/vms/vm/events/stream`, c.headers);
    watchers.push(sse);
    await driver.waitForLine(/^ready$/);
    await sleep(200);
    for (const w of watchers) w.reset();
    const cpu0 = cpuSeconds(c.pid);
    driver.child.stdin!.write('go\n');
    const run = JSON.parse((await driver.waitForLine(/^\{.*\}$/, FAN_OUT_MS + 20_000))[0]) as StormRun;
    // Everything QEMU sent must reach every watcher; give stragglers up to 20 s.
    const until = Date.now() + 20_000;
    while (watchers.some((w) => w.count < run.events) && Date.now() < until) await sleep(20);
    const cpu = cpuSeconds(c.pid) - cpu0;
    const ws = watchers.filter((w) => w.kind === 'websocket');
    const shares = ws.map((w) => w.count / run.events);
    const delays = ws.flatMap((w) => w.delays);
    const result = {
      clients: n,
      qemuEvents: run.events,
      qemuPerSecond: round(run.perSecond),
      directDelayMs: { p50: round(run.delayP50Ms), p99: round(run.delayP99Ms) },
      minShare: Math.min(...shares),
      maxCount: Math.max(...ws.map((w) => w.count)),
      p50Ms: round(percentile(delays, 50)),
      p99Ms: round(percentile(delays, 99)),
      sse: {
        share: sse.count / run.events,
        p50Ms: round(percentile(sse.delays, 50)),
        p99Ms: round(percentile(sse.delays, 99)),
      },
      cpuSecondsPer10k: round((cpu / run.events) * 10_000),
    };
    const clients = `${n} WebSocket client${n > 1 ? 's' : ''}`;
    const r = ratio(run.perSecond, directRate);
    report.goal({
      section: FAN,
      figure: `${clients}: QEMU events/s during the run`,
      value: run.perSecond,
      unit: 'events/s',
      reference: `driver direct ${round(directRate)} events/s`,
      versus: `×${round(r)} (goal ≥ ×0.8)`,
      ok: r >= 0.8,
    });
    report.goal({
      section: FAN,
      figure: `${clients}: share delivered to the worst client`,
      value: result.minShare * 100,
      unit: '%',
      reference: `${run.events} events`,
      versus: 'goal 100%',
      ok: result.minShare === 1,
    });
    report.goal({
      section: FAN,
      figure: `${clients}: delay from QEMU's timestamp, p99`,
      value: result.p99Ms,
      unit: 'ms',
      reference: `p50 ${result.p50Ms} ms; direct monitor p99 ${round(run.delayP99Ms)} ms`,
      versus: 'goal ≤ 50 ms',
      ok: result.p99Ms <= 50,
    });
    report.goal({
      section: FAN,
      figure: `${clients}: SSE journal stream, share and p99`,
      value: result.sse.share * 100,
      unit: '%',
      reference: `p50 ${result.sse.p50Ms} ms, p99 ${result.sse.p99Ms} ms`,
      versus: 'goal 100%, p99 ≤ 50 ms',
      ok: result.sse.share === 1 && result.sse.p99Ms <= 50,
    });
    report.info({
      section: FAN,
      figure: `${clients}: console CPU per 10,000 events`,
      value: result.cpuSecondsPer10k,
      unit: 's',
    });
    return result;
  } finally {
    for (const w of watchers) w.close();
    await driver.stop();
  }
}
