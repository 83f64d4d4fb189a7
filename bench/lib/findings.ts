// The prose of docs/benchmarks.md, made from this run's figures only: every sentence compares numbers
// measured in the same run, so no sentence can disagree with the table above it.
import type { Report } from './report.ts';
import { median, round } from './stats.ts';

type PathName = 'direct' | 'console' | 'websockify' | 'bridge';
const REFS = ['websockify', 'bridge'] as const;
const name: Record<PathName, string> = {
  direct: 'direct',
  console: 'the console',
  websockify: 'websockify',
  bridge: 'the bridge',
};

const n = (v: number) => round(v).toLocaleString('en-US');

/** "below both", "above both", or "below websockify, above the bridge" for the console against two references. */
function place(value: number, refs: Record<'websockify' | 'bridge', number>, lowerIsBetter: boolean): string {
  const better = REFS.filter((r) => (lowerIsBetter ? value < refs[r] : value > refs[r]));
  const word = lowerIsBetter ? ['below', 'above'] : ['above', 'below'];
  if (better.length === 2) return `${word[0]} both`;
  if (better.length === 0) return `${word[1]} both`;
  const worse = REFS.find((r) => !better.includes(r))!;
  return `${word[0]} ${name[better[0]!]}, ${word[1]} ${name[worse]}`;
}

interface LatencyData {
  paths: Record<PathName, { p50Us: number; p99Us: number; addedP50Us: number; ratioP50: number }>;
}
interface ThroughputData {
  qemu: { perSecond: Record<PathName, number> };
  fake: { perSecond: Record<PathName, number>; consoleCpuUsPerCommand: number };
}
interface FanOutRound {
  p50Ms: number;
  p99Ms: number;
  sseP99Ms: number;
  minShare: number;
  sseShare: number;
}

export function findings(
  report: Report,
  cpuPressure: { start: number | null; end: number | null },
): string[] {
  const d = report.data as Record<string, unknown>;
  const out: string[] = [];

  const lat = d.latency as LatencyData | undefined;
  if (lat) {
    const p = lat.paths;
    out.push(
      `**Latency.** At p50 ${name.console} added ${n(p.console.addedP50Us)} µs to direct's ${n(p.direct.p50Us)} µs ` +
        `(×${p.console.ratioP50}); websockify added ${n(p.websockify.addedP50Us)} µs and the bridge ` +
        `${n(p.bridge.addedP50Us)} µs, so the console was ${place(p.console.addedP50Us, { websockify: p.websockify.addedP50Us, bridge: p.bridge.addedP50Us }, true)}. ` +
        `At p99: direct ${n(p.direct.p99Us)}, console ${n(p.console.p99Us)}, websockify ${n(p.websockify.p99Us)}, ` +
        `bridge ${n(p.bridge.p99Us)} µs.`,
    );
  }
  const tp = d.throughput as ThroughputData | undefined;
  if (tp) {
    const q = tp.qemu.perSecond;
    const f = tp.fake.perSecond;
    out.push(
      `**Pipelined.** Against QEMU the console carried ${n(q.console)} cmd/s (×${round(q.console / q.direct)} of direct; ` +
        `websockify ${n(q.websockify)}, bridge ${n(q.bridge)} cmd/s: the console was ` +
        `${place(q.console, { websockify: q.websockify, bridge: q.bridge }, false)}); against the instant fake server ${n(f.console)} cmd/s ` +
        `(websockify ${n(f.websockify)}, bridge ${n(f.bridge)}), ${tp.fake.consoleCpuUsPerCommand} µs of console CPU per command.`,
    );
  }
  const rate = d.stormRate as Record<PathName, { perSecond: number }> | undefined;
  if (rate) {
    const r = (x: PathName) => round(rate[x].perSecond / rate.direct.perSecond);
    out.push(
      `**Storm driven through each path.** ×${r('console')} of direct through the console, ×${r('websockify')} through ` +
        `websockify, ×${r('bridge')} through the bridge: the console was ${place(rate.console.perSecond, { websockify: rate.websockify.perSecond, bridge: rate.bridge.perSecond }, false)}.`,
    );
  }
  const tcp = d.stormTcp as { nagle: number; nodelay: number } | undefined;
  if (tcp)
    out.push(
      `**QEMU over TCP.** The same storm on \`-qmp tcp:\` ran at ${n(tcp.nagle)} events/s with QEMU's default (Nagle on) ` +
        `and ${n(tcp.nodelay)} events/s with \`nodelay=on\`.`,
    );
  const fan = d.fanOut as Record<string, { rounds: FanOutRound[] }> | undefined;
  if (fan) {
    const parts = Object.entries(fan).map(([clients, { rounds }]) => {
      const m = (f: (x: FanOutRound) => number) => n(median(rounds.map(f)));
      const share = Math.min(...rounds.map((x) => Math.min(x.minShare, x.sseShare)));
      return `${clients} client${clients === '1' ? '' : 's'}: p50 ${m((x) => x.p50Ms)} ms, p99 ${m((x) => x.p99Ms)} ms (SSE p99 ${m((x) => x.sseP99Ms)} ms), ${round(share * 100)} % delivered to the worst`;
    });
    const mem = d.fanOutMemory as { peakMiB: number } | undefined;
    out.push(
      `**Fan-out**, delay from QEMU's timestamp to receipt, median round: ${parts.join('; ')}.${mem ? ` The console's peak RSS was ${n(mem.peakMiB)} MiB.` : ''}`,
    );
  }
  const j = d.journal as { appendPerSec: number; pageMedianMs: number; bytesPerMillion: number } | undefined;
  if (j)
    out.push(
      `**Journal.** ${n(j.appendPerSec)} events/s appended (log written before delivery, SQLite filled behind), ` +
        `a 100-event page in ${j.pageMedianMs} ms at a million events, ${n(j.bytesPerMillion / 2 ** 20)} MiB per million.`,
    );
  const status = d.statusVisible as { msEach: number[]; receivedBytes: number[] } | undefined;
  const size = d.spaSize as { firstPageGzipBytes: number } | undefined;
  if (status || size) {
    const bits: string[] = [];
    if (status) {
      bits.push(`The run state was painted ${n(median(status.msEach))} ms after navigation (median)`);
      bits.push(`Chromium received ${n(median(status.receivedBytes) / 1024)} KiB for the whole first page`);
    }
    if (size)
      bits.push(
        `${bits.length ? 'its' : 'Its'} JS and CSS are ${n(size.firstPageGzipBytes / 1024)} KiB at gzip -9`,
      );
    out.push(`**First page.** ${bits.join('; ')}.`);
  }
  const log = d.eventLog as { longTasks: [number, number][]; storm10k: { events: number } } | undefined;
  if (log) {
    const over = log.longTasks.filter(([, t]) => t > 50).length;
    const longest = log.longTasks.reduce((m, [, t]) => Math.max(m, t), 0);
    out.push(
      `**Event log storm.** During ${n(log.storm10k.events)} events the page ran ${over} task${over === 1 ? '' : 's'} over 50 ms` +
        `${over > 0 ? `, the longest ${n(longest)} ms` : ''}.`,
    );
  }
  if (cpuPressure.start !== null && cpuPressure.end !== null)
    out.push(
      `**The machine.** Some task waited for a CPU ${cpuPressure.start}% of the time in the minute before the run ` +
        `and ${cpuPressure.end}% in its last minute (PSI); the ratios above compare paths measured in ` +
        `interleaved rounds of this run.`,
    );
  return out;
}
