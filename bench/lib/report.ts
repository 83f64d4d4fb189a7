// The bench's findings: one row per figure (value, reference, ratio or goal, verdict), raw data per
// section, and sections that could not run with the reason. Printed as a table, saved as JSON.
import { round } from './stats.ts';

export type Verdict = 'pass' | 'miss' | 'info';

export interface Row {
  section: string;
  figure: string;
  value: number;
  unit: string;
  /** What the value is set against: a same-run figure or the reference, in words. */
  reference: string;
  /** The ratio to the reference and/or the goal, in words: `×1.08 (goal ≤ ×1.2)`. */
  versus: string;
  verdict: Verdict;
}

export interface Skip {
  section: string;
  why: string;
}

export class Report {
  readonly rows: Row[] = [];
  readonly skipped: Skip[] = [];
  readonly data: Record<string, unknown> = {};
  readonly seconds: Record<string, number> = {};

  row(r: Omit<Row, 'value'> & { value: number }): void {
    this.rows.push({ ...r, value: round(r.value) });
  }

  /** A figure with a goal: `pass` when `ok`. */
  goal(r: Omit<Row, 'verdict' | 'value'> & { value: number; ok: boolean }): void {
    const { ok, ...rest } = r;
    this.row({ ...rest, verdict: Number.isFinite(r.value) && ok ? 'pass' : 'miss' });
  }

  info(r: Omit<Row, 'verdict' | 'reference' | 'versus'> & { reference?: string; versus?: string }): void {
    this.row({ reference: '', versus: '', ...r, verdict: 'info' });
  }

  skip(section: string, why: string): void {
    this.skipped.push({ section, why });
  }
}

const fmt = (v: number, unit: string) =>
  `${Number.isFinite(v) ? v.toLocaleString('en-US') : '—'} ${unit}`.trim();

/** A plain-text table, one block per section. */
export function formatTable(report: Report): string {
  const head = ['Figure', 'Value', 'Reference', 'Ratio / goal', ''];
  const lines: string[][] = [];
  const sections = [
    ...new Set([...report.rows.map((r) => r.section), ...report.skipped.map((s) => s.section)]),
  ];
  for (const section of sections) {
    lines.push([`[${section}]`, '', '', '', '']);
    for (const r of report.rows.filter((x) => x.section === section))
      lines.push([
        `  ${r.figure}`,
        fmt(r.value, r.unit),
        r.reference,
        r.versus,
        r.verdict === 'info' ? '' : r.verdict,
      ]);
    for (const s of report.skipped.filter((x) => x.section === section))
      lines.push(['  skipped', s.why, '', '', '']);
  }
  const widths = head.map((h, i) =>
    Math.max(h.length, ...lines.map((l) => (i === 1 && l[0]!.startsWith('  skipped') ? 0 : l[i]!.length))),
  );
  const pad = (l: string[]) =>
    l[0] === '  skipped'
      ? `${l[0]!.padEnd(widths[0]!)}  ${l[1]}`
      : l
          .map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd();
  return [pad(head), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(pad)].join('\n');
}

/** The same table in Markdown. */
export function formatMarkdown(report: Report): string {
  const out = ['| Figure | Value | Reference | Ratio / goal | |', '|---|---:|---|---|---|'];
  const sections = [
    ...new Set([...report.rows.map((r) => r.section), ...report.skipped.map((s) => s.section)]),
  ];
  for (const section of sections) {
    out.push(`| **${section}** | | | | |`);
    for (const r of report.rows.filter((x) => x.section === section))
      out.push(
        `| ${r.figure} | ${fmt(r.value, r.unit)} | ${r.reference} | ${r.versus} | ${r.verdict === 'info' ? '' : r.verdict} |`,
      );
    for (const s of report.skipped.filter((x) => x.section === section))
      out.push(`| skipped: ${s.why} | | | | |`);
  }
  return out.join('\n');
}
