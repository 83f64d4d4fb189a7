import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Tally } from './tally.ts';

describe('Tally', () => {
  it('hands counts, the latest value and observations to prom-client when scraped, once each', async () => {
    const registry = new Registry();
    const tally = new Tally<Record<'vm', string>>();
    const counter = new Counter({
      name: 't_total',
      help: 'h',
      labelNames: ['vm'],
      registers: [registry],
      collect() {
        tally.countsInto(this);
      },
    });
    const gauge = new Gauge({
      name: 't_last',
      help: 'h',
      labelNames: ['vm'],
      registers: [registry],
      collect() {
        tally.lastInto(this);
      },
    });
    const histogram = new Histogram({
      name: 't_seconds',
      help: 'h',
      labelNames: ['vm'],
      buckets: [1],
      registers: [registry],
      collect() {
        tally.valuesInto(this);
      },
    });
    for (let i = 0; i < 3; i++) tally.count('a', () => ({ vm: 'a' }), 100 + i);
    tally.count('b', () => ({ vm: 'b' }));
    tally.observe('a', () => ({ vm: 'a' }), 0.5, histogram);
    tally.observe('a', () => ({ vm: 'a' }), 2, histogram);
    const text = await registry.metrics();
    expect(text).toContain('t_total{vm="a"} 3');
    expect(text).toContain('t_total{vm="b"} 1');
    expect(text).toContain('t_last{vm="a"} 102');
    expect(text).not.toContain('t_last{vm="b"}');
    expect(text).toContain('t_seconds_bucket{le="1",vm="a"} 1');
    expect(text).toContain('t_seconds_count{vm="a"} 2');
    // Handed over once: a second scrape adds nothing.
    tally.count('a', () => ({ vm: 'a' }));
    const again = await registry.metrics();
    expect(again).toContain('t_total{vm="a"} 4');
    expect(again).toContain('t_seconds_count{vm="a"} 2');
    expect((await counter.get()).values).toHaveLength(2);
    expect((await gauge.get()).values).toHaveLength(1);
  });

  it('holds at most 512 observations of a series between scrapes', async () => {
    const histogram = new Histogram({
      name: 'u_seconds',
      help: 'h',
      labelNames: ['vm'],
      buckets: [1],
      registers: [],
    });
    const tally = new Tally<Record<'vm', string>>();
    for (let i = 0; i < 600; i++) tally.observe('a', () => ({ vm: 'a' }), 0.1, histogram);
    const held = (await histogram.get()).values.find((v) => v.metricName === 'u_seconds_count');
    expect(held?.value).toBe(512);
  });
});
