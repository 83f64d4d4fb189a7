// Counts and observations kept as plain numbers where they happen, handed to prom-client when a scrape
// asks (a metric's `collect`): prom-client hashes and validates a labels object on every inc, observe
// and set, which an event storm or a pipelining client would pay thousands of times a second.
import type { Counter, Gauge, Histogram } from 'prom-client';

interface Series<L> {
  labels: L;
  count: number;
  values: number[];
  last: number;
}

/** Observations held per series before they go to the histogram anyway (memory stays bounded). */
const MAX_HELD_VALUES = 512;

export class Tally<L extends Record<string, string>> {
  private readonly series = new Map<string, Series<L>>();

  /** The series `key` names (the caller's string of its label values), made with `labels()` once. */
  private get(key: string, labels: () => L): Series<L> {
    let s = this.series.get(key);
    if (s === undefined) {
      s = { labels: labels(), count: 0, values: [], last: Number.NaN };
      this.series.set(key, s);
    }
    return s;
  }

  /** One more; `last` is kept for a gauge of the latest value (a timestamp). */
  count(key: string, labels: () => L, last?: number): void {
    const s = this.get(key, labels);
    s.count++;
    if (last !== undefined) s.last = last;
  }

  observe(key: string, labels: () => L, value: number, histogram: Histogram<string>): void {
    const s = this.get(key, labels);
    s.values.push(value);
    if (s.values.length >= MAX_HELD_VALUES) this.observeHeld(s, histogram);
  }

  countsInto(counter: Counter<string>): void {
    for (const s of this.series.values()) {
      if (s.count === 0) continue;
      counter.inc(s.labels, s.count);
      s.count = 0;
    }
  }

  lastInto(gauge: Gauge<string>): void {
    for (const s of this.series.values()) {
      if (Number.isNaN(s.last)) continue;
      gauge.set(s.labels, s.last);
      s.last = Number.NaN;
    }
  }

  valuesInto(histogram: Histogram<string>): void {
    for (const s of this.series.values()) this.observeHeld(s, histogram);
  }

  private observeHeld(s: Series<L>, histogram: Histogram<string>): void {
    for (const v of s.values) histogram.observe(s.labels, v);
    s.values.length = 0;
  }
}
