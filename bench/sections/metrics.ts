// 7. Prometheus metrics: how long GET /metrics takes with 10 real VMs (each scrape asking every QEMU,
// as a 15 s Prometheus scrape does), and `query-status` latency through the console with and without a
// scraper hitting /metrics every second (Prometheus' fastest usual rate), in interleaved rounds.
import { connectConsole, negotiate } from '../lib/links.ts';
import { roundTrips } from '../lib/measure.ts';
import { cpuSeconds, sleep } from '../lib/processes.ts';
import { type BenchQemu, bootBenchQemu, disposeAll } from '../lib/qemu.ts';
import type { Report } from '../lib/report.ts';
import { type ConsoleProcess, startConsoleProcess, waitConsoleConnected } from '../lib/servers.ts';
import { median, percentile, ratio, round } from '../lib/stats.ts';

const SECTION = '7. Prometheus metrics';
const VMS = 10;
/** Scrapes more than a second apart, so each one asks all 10 QEMUs (the console caches for 1 s). */
const COLD_SCRAPES = 15;
const WARM_SCRAPES = 50;
const ROUNDS = 6;
const PER_ROUND = 3000;

async function scrapeMs(c: ConsoleProcess): Promise<{ ms: number; bytes: number; text: string }> {
  const t0 = performance.now();
  const res = await fetch(`${c.url}metrics`, { headers: c.headers });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`GET /metrics: HTTP ${res.status}`);
  return { ms, bytes: Buffer.byteLength(text), text };
}

/** GET /metrics once a second until stopped, as Prometheus with `scrape_interval: 1s` would. */
function scrapeEverySecond(c: ConsoleProcess): { stop(): Promise<number> } {
  let scrapes = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const next = performance.now() + 1000;
      await scrapeMs(c);
      scrapes++;
      await sleep(Math.max(0, next - performance.now()));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return scrapes;
    },
  };
}

export async function metricsSection(report: Report): Promise<void> {
  const vms: BenchQemu[] = [];
  let console: ConsoleProcess | null = null;
  try {
    const booted = await Promise.allSettled(
      Array.from({ length: VMS }, (_, i) =>
        bootBenchQemu({
          name: `metrics${i}`,
          extraArgs: ['-m', '32'],
          disks: [{ id: 'disk0' }, { id: 'disk1' }],
        }),
      ),
    );
    for (const b of booted) if (b.status === 'fulfilled') vms.push(b.value);
    const failed = booted.find((b) => b.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const names = vms.map((_, i) => `vm${i}`);
    console = await startConsoleProcess(Object.fromEntries(vms.map((vm, i) => [names[i]!, vm.qmpPath])));
    await waitConsoleConnected(console, names);
    const c = console;

    // Warm-up: the first scrape of each VM also reads its schema.
    await scrapeMs(c);
    await sleep(1100);
    const cold: number[] = [];
    let last = { ms: 0, bytes: 0, text: '' };
    for (let i = 0; i < COLD_SCRAPES; i++) {
      last = await scrapeMs(c);
      cold.push(last.ms);
      await sleep(1050);
    }
    const warm: number[] = [];
    // The console's own CPU time per scrape: what a scrape costs, whatever else wants the CPUs.
    const cpu0 = cpuSeconds(c.pid);
    for (let i = 0; i < WARM_SCRAPES; i++) warm.push((await scrapeMs(c)).ms);
    const cpuPerWarmMs = ((cpuSeconds(c.pid) - cpu0) * 1000) / WARM_SCRAPES;
    const series = last.text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    const blockSeries = last.text
      .split('\n')
      .filter((l) => l.startsWith('qmp_block_read_bytes_total{')).length;

    // Latency with and without the scraper, alternating so drift hits both alike.
    const link = await connectConsole(c.wsUrl('vm0'), c.headers, 'console');
    await negotiate(link);
    await roundTrips(link, 500);
    const samples = { off: [] as number[], on: [] as number[] };
    const roundMedians = { off: [] as number[], on: [] as number[] };
    let scrapesDuring = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const mode = r % 2 === 0 ? 'off' : 'on';
      const scraper = mode === 'on' ? scrapeEverySecond(c) : null;
      const s = await roundTrips(link, PER_ROUND);
      if (scraper) scrapesDuring += await scraper.stop();
      samples[mode].push(...s);
      roundMedians[mode].push(median(s));
    }
    await link.close();

    const p = (mode: 'off' | 'on', q: number) => percentile(samples[mode], q);
    report.data.metrics = {
      vms: VMS,
      series,
      blockSeries,
      scrapeBytes: last.bytes,
      coldScrapesMs: cold.map(round),
      warmScrapeP50Ms: round(median(warm)),
      consoleCpuPerScrapeMs: round(cpuPerWarmMs),
      latency: {
        rounds: ROUNDS,
        perRound: PER_ROUND,
        scrapesDuring,
        offP50Us: round(p('off', 50)),
        onP50Us: round(p('on', 50)),
        offP99Us: round(p('off', 99)),
        onP99Us: round(p('on', 99)),
        roundMediansUs: { off: roundMedians.off.map(round), on: roundMedians.on.map(round) },
      },
    };
    report.goal({
      section: SECTION,
      figure: `GET /metrics, ${VMS} VMs, each asked (p50 of ${COLD_SCRAPES})`,
      value: median(cold),
      unit: 'ms',
      reference: `max ${round(Math.max(...cold))} ms; ${series} series, ${round(last.bytes / 1024)} KiB`,
      versus: 'goal < 50 ms',
      ok: median(cold) < 50,
    });
    report.info({
      section: SECTION,
      figure: 'GET /metrics within the second (QEMU not asked again), p50',
      value: median(warm),
      unit: 'ms',
      versus: `${WARM_SCRAPES} scrapes back to back`,
    });
    report.info({
      section: SECTION,
      figure: "the console's CPU time per scrape (10 VMs, 10 ms clock ticks)",
      value: cpuPerWarmMs,
      unit: 'ms',
      versus: 'wall time above minus this: waiting for a CPU',
    });
    const r50 = ratio(p('on', 50), p('off', 50));
    report.goal({
      section: SECTION,
      figure: 'query-status p50 while scraped every second',
      value: p('on', 50),
      unit: 'µs',
      reference: `not scraped ${round(p('off', 50))} µs`,
      versus: `×${round(r50)} (goal ≤ ×1.05)`,
      ok: r50 <= 1.05,
    });
    report.info({
      section: SECTION,
      figure: 'query-status p99 while scraped every second',
      value: p('on', 99),
      unit: 'µs',
      reference: `not scraped ${round(p('off', 99))} µs`,
      versus: `×${round(ratio(p('on', 99), p('off', 99)))}, ${scrapesDuring} scrapes in ${samples.on.length} commands`,
    });
  } finally {
    await console?.stop();
    await disposeAll(vms);
  }
}
