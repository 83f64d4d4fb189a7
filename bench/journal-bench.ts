// The event journal's figures (issue 5): sustained append rate through the live write-before-fan-out
// path, the median time of a 100-event page from a 1,000,000-event journal, and the bytes it takes.
// Goals: ≥ 20,000 events/s appended, < 5 ms per page. Prints; asserts nothing.
// Usage: tsx bench/journal-bench.ts [EVENTS]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QmpEvent } from '../protocol/qmp.ts';
import { Journal, recordJson } from '../proxy/journal/journal.ts';
import { JournalStore } from '../proxy/journal/journal-store.ts';

export interface JournalBenchResult {
  /** Events per second through Journal.sink → batched commit → deliver, a storm's mix of events. */
  appendPerSec: number;
  /** Median ms for one 100-event page (newest first, at a random cursor), query and JSON. */
  pageMedianMs: number;
  /** Database + WAL bytes per million events. */
  bytesPerMillion: number;
}

export interface JournalBenchOptions {
  /** Events in the journal (default 1,000,000). */
  events?: number;
  /** Pages timed (default 500). */
  pages?: number;
  /** Print the figures (default true). */
  print?: boolean;
}

/** A `cont` loop on a failing disk, as QEMU 7.2 reports it, over 4 VMs. */
function stormEvent(i: number): { vm: string; event: QmpEvent } {
  const vm = `vm${i % 4}`;
  const round = Math.floor(i / 4);
  const timestamp = {
    seconds: 1_700_000_000 + Math.floor(round / 3000),
    microseconds: (round * 331) % 1_000_000,
  };
  switch (round % 3) {
    case 0:
      return { vm, event: { event: 'RESUME', timestamp } };
    case 1:
      return {
        vm,
        event: {
          event: 'BLOCK_IO_ERROR',
          data: {
            device: 'bad0',
            'node-name': '#block152',
            operation: 'read',
            action: 'stop',
            nospace: false,
            reason: 'Input/output error',
          },
          timestamp,
        },
      };
    default:
      return { vm, event: { event: 'STOP', timestamp } };
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

export async function runJournalBench(options: JournalBenchOptions = {}): Promise<JournalBenchResult> {
  const total = options.events ?? 1_000_000;
  const pages = options.pages ?? 500;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'journal-bench-'));
  try {
    const journal = new Journal(JournalStore.open(path.join(dir, 'journal.sqlite'), { check: false }));
    let delivered = 0;
    const deliver = () => {
      delivered++;
    };
    // Arrival as from a socket: a chunk of lines per I/O turn, then the event loop turns.
    const chunk = 500;
    const t0 = performance.now();
    for (let i = 0; i < total; i += chunk) {
      const end = Math.min(total, i + chunk);
      for (let j = i; j < end; j++) {
        const { vm, event } = stormEvent(j);
        journal.sink(vm, event, '', deliver);
      }
      await new Promise<void>((r) => setImmediate(r));
    }
    // Delivered means in the append-only log; SQLite holds them too once the fill behind it has run.
    journal.settle();
    const appendMs = performance.now() - t0;
    if (delivered !== total) throw new Error(`delivered ${delivered} of ${total}`);
    const appendPerSec = Math.round(total / (appendMs / 1000));

    const store = journal.store;
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const bytesPerMillion = Math.round((store.sizeOnDisk() / total) * 1_000_000);

    // Pages at random cursors, newest first, as GET /api/events?before=N builds them.
    const times: number[] = [];
    const filtered: number[] = [];
    for (let i = 0; i < pages; i++) {
      const before = 1 + Math.floor(Math.random() * total);
      let t = performance.now();
      const rows = journal.query({ before, limit: 101, order: 'desc' });
      const body = `{"events":[${rows.slice(0, 100).map(recordJson).join(',')}],"next":${rows[99]?.seq ?? null}}`;
      times.push(performance.now() - t);
      if (body.length < 10) throw new Error('empty page');
      t = performance.now();
      const f = journal.query({ vm: 'vm2', events: ['BLOCK_IO_ERROR'], before, limit: 101, order: 'desc' });
      f.slice(0, 100).map(recordJson).join(',');
      filtered.push(performance.now() - t);
    }
    const pageMedianMs = Number(median(times).toFixed(3));
    const openAlerts = journal.listAlerts({ state: 'open', limit: 10 });
    // Retention: the time one pruning step (2000 events) holds the event loop.
    const pruneSteps: number[] = [];
    const policy = { maxEvents: Math.floor(total * 0.9), maxAgeMs: null };
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      if (store.prune(policy, Date.now(), 2000) === 0) break;
      pruneSteps.push(performance.now() - t);
    }
    journal.close();

    if (options.print ?? true) {
      const mb = (bytesPerMillion / 1024 / 1024).toFixed(0);
      process.stdout.write(
        [
          `journal: ${total.toLocaleString('en')} events appended at ${appendPerSec.toLocaleString('en')} events/s (goal ≥ 20,000)`,
          `journal: 100-event page from ${total.toLocaleString('en')}: median ${pageMedianMs} ms (goal < 5 ms); filtered by VM and event: median ${median(filtered).toFixed(3)} ms`,
          `journal: ${mb} MiB per million events; ${openAlerts.length} open alerts, counts ${openAlerts.map((a) => a.count).join(', ')}`,
          `journal: one retention step (2,000 events): median ${pruneSteps.length ? median(pruneSteps).toFixed(2) : '-'} ms`,
        ]
          .map((line) => `${line}\n`)
          .join(''),
      );
    }
    return { appendPerSec, pageMedianMs, bytesPerMillion };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const n = process.argv[2] ? Number(process.argv[2]) : undefined;
  await runJournalBench(n ? { events: n } : {});
}
