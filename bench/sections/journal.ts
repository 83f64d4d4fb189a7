// 4. The journal: bench/journal-bench.ts (the journal's own bench, issue 5) runs here as it is.
import type { Report } from '../lib/report.ts';

const SECTION = '4. Journal (1,000,000 events)';

interface JournalBenchResult {
  appendPerSec: number;
  pageMedianMs: number;
  bytesPerMillion: number;
}

export async function journalSection(report: Report): Promise<void> {
  const { runJournalBench } = (await import('../journal-bench.ts')) as {
    runJournalBench(o?: { print?: boolean }): Promise<JournalBenchResult>;
  };
  const r = await runJournalBench({ print: false });
  report.data.journal = r;
  report.goal({
    section: SECTION,
    figure: 'sustained append (write before fan-out)',
    value: r.appendPerSec,
    unit: 'events/s',
    reference: '',
    versus: 'goal ≥ 20,000 events/s',
    ok: r.appendPerSec >= 20_000,
  });
  report.goal({
    section: SECTION,
    figure: '100-event page at 1,000,000 events, median',
    value: r.pageMedianMs,
    unit: 'ms',
    reference: '',
    versus: 'goal < 5 ms',
    ok: r.pageMedianMs < 5,
  });
  report.info({
    section: SECTION,
    figure: 'database size per million events',
    value: r.bytesPerMillion / 2 ** 20,
    unit: 'MiB',
  });
}
