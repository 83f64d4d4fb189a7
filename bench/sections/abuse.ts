// 10. One client cannot stall everyone: an operator's sequential query-status through the console while,
// from another process, a viewer sends 1 MiB query-status frames, 200 event streams replay a large
// journal and 8 NDJSON exports read it, with the console's default caps (streams and exports past them
// are refused with 503 and come back after Retry-After, as clients do). Goal: the operator's p99 under
// 100 ms. QEMU's second monitor is asked alongside: what the machine gives a process that is not the
// console. A missed goal fails the section.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal } from '../../proxy/journal/journal.ts';
import { JournalStore } from '../../proxy/journal/journal-store.ts';
import { connectConsole, connectUnix, negotiate, type QmpLink, request } from '../lib/links.ts';
import { roundTrips } from '../lib/measure.ts';
import { sleep } from '../lib/processes.ts';
import { bootBenchQemu } from '../lib/qemu.ts';
import type { Report } from '../lib/report.ts';
import { startConsoleProcess, tsxChild, waitConsoleConnected } from '../lib/servers.ts';
import { percentile, round } from '../lib/stats.ts';

const SECTION = '10. One client cannot stall everyone';
const JOURNAL_EVENTS = 20_000;
const STREAMS = 200;
const EXPORTS = 8;
const MEASURE_MS = 15_000;
const GOAL_P99_MS = 100;
const VIEWER_TOKEN = 'bench-viewer-token-0123456789';

/** A journal of JOURNAL_EVENTS events (about 300 bytes each as records) in a new data dir. */
function largeJournal(): { dir: string; head: number } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qmpb-abuse-'));
  chmodSync(dir, 0o700);
  const journal = new Journal(JournalStore.open(path.join(dir, 'journal.sqlite')));
  const pad = 'x'.repeat(200);
  for (let i = 0; i < JOURNAL_EVENTS; i++)
    journal.sink(
      'vm',
      {
        event: 'BENCH_PADDING',
        data: { i, pad },
        timestamp: { seconds: 1_700_000_000 + i, microseconds: 0 },
      },
      '',
      () => {},
    );
  journal.settle();
  const head = journal.headSeq;
  journal.close();
  return { dir, head };
}

async function roundTripMs(link: QmpLink, id: number): Promise<number> {
  const t0 = performance.now();
  const reply = await request(link, `{"execute":"query-status","id":${id}}`, 120_000);
  if (!reply.includes('"return"')) throw new Error(`${link.path}: query-status failed: ${reply}`);
  return performance.now() - t0;
}

/**
 * Sequential query-status round trips for `ms` through the console (a stalled one counts for all its
 * wait), each followed by one on QEMU's second monitor: what the machine itself gives meanwhile.
 */
async function operatorLoop(
  link: QmpLink,
  direct: QmpLink,
  ms: number,
): Promise<{ console: number[]; direct: number[] }> {
  const samples = { console: [] as number[], direct: [] as number[] };
  const until = performance.now() + ms;
  for (let i = 0; performance.now() < until; i++) {
    samples.console.push(await roundTripMs(link, i));
    samples.direct.push(await roundTripMs(direct, i));
  }
  return samples;
}

export async function abuseSection(report: Report): Promise<void> {
  const vm = await bootBenchQemu({ name: 'abuse', secondMonitor: true });
  const { dir, head } = largeJournal();
  const stops: (() => Promise<void>)[] = [() => vm.dispose()];
  try {
    const c = await startConsoleProcess({ vm: vm.qmpPath }, [
      '--data-dir',
      dir,
      '--viewer-token',
      VIEWER_TOKEN,
    ]);
    stops.push(() => c.stop());
    await waitConsoleConnected(c, ['vm']);
    const link = await connectConsole(c.wsUrl('vm'), c.headers, 'operator');
    stops.push(() => link.close());
    await negotiate(link);
    const direct = await connectUnix(vm.secondMonitorPath!, 'direct');
    stops.push(() => direct.close());
    await negotiate(direct);
    await roundTrips(link, 100);
    const idle = [...(await roundTrips(link, 500))].map((us) => us / 1000);

    const driver = tsxChild(
      'abuse-driver',
      'bench/abuse-driver.ts',
      [c.url, VIEWER_TOKEN, String(head), String(STREAMS), String(EXPORTS)],
      true,
    );
    stops.push(() => driver.stop());
    await driver.waitForLine(/^ready$/);
    driver.child.stdin!.write('go\n');
    // The streams connect and start replaying; the viewer's first frames are on their way.
    await sleep(1000);
    const { console: loaded, direct: directLoaded } = await operatorLoop(link, direct, MEASURE_MS);
    driver.child.stdin!.write('stop\n');
    const done = JSON.parse((await driver.waitForLine(/^\{.*\}$/, 30_000))[0]) as Record<string, number>;

    const p99 = percentile(loaded, 99);
    report.data.abuse = {
      journalEvents: JOURNAL_EVENTS,
      streams: STREAMS,
      exports: EXPORTS,
      idle: { n: idle.length, p50Ms: round(percentile(idle, 50)), p99Ms: round(percentile(idle, 99)) },
      loaded: {
        n: loaded.length,
        p50Ms: round(percentile(loaded, 50)),
        p99Ms: round(p99),
        maxMs: round(Math.max(...loaded)),
      },
      directMeanwhile: {
        n: directLoaded.length,
        p50Ms: round(percentile(directLoaded, 50)),
        p99Ms: round(percentile(directLoaded, 99)),
      },
      abuse: done,
    };
    report.info({
      section: SECTION,
      figure: "operator's query-status p99, idle",
      value: percentile(idle, 99),
      unit: 'ms',
      versus: `p50 ${round(percentile(idle, 50))} ms, ${idle.length} round trips`,
    });
    report.goal({
      section: SECTION,
      figure: "operator's query-status p99 under abuse",
      value: p99,
      unit: 'ms',
      reference: 'issue: 15–30 s (1 MiB frames), 9 s (200 replays), 1.8 s (8 exports)',
      versus: `goal < ${GOAL_P99_MS} ms; p50 ${round(percentile(loaded, 50))} ms, max ${round(Math.max(...loaded))} ms, ${loaded.length} round trips`,
      ok: p99 < GOAL_P99_MS,
    });
    report.info({
      section: SECTION,
      figure: "query-status p99 on QEMU's second monitor meanwhile",
      value: percentile(directLoaded, 99),
      unit: 'ms',
      versus: `p50 ${round(percentile(directLoaded, 50))} ms: what this machine gives a process that is not the console`,
    });
    report.info({
      section: SECTION,
      figure: 'abuse served meanwhile',
      value: (done.streamBytes! + done.exportBytes!) / 2 ** 20,
      unit: 'MiB',
      versus: `${STREAMS} streams (${done.replaysDone} full replays of ${JOURNAL_EVENTS} events), ${EXPORTS} exports (${done.exportsDone} done), ${done.refused503} refused at a cap, viewer: ${done.viewerFrames} frames answered, ${done.viewerClosed} times closed and back`,
    });
    if (!(p99 < GOAL_P99_MS))
      throw new Error(
        `the operator's query-status p99 was ${round(p99)} ms under abuse (goal < ${GOAL_P99_MS} ms)`,
      );
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}
