import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsoleMetrics } from './console-metrics.ts';
import { metricsDoc } from './metrics-doc.ts';

describe('docs/metrics.md', () => {
  it('is what the registry says (run `npm run docs:metrics` after changing a metric)', () => {
    const onDisk = readFileSync(path.join(import.meta.dirname, '../../docs/metrics.md'), 'utf8');
    expect(onDisk).toBe(metricsDoc());
  });

  it('lists every metric the console registers', () => {
    const doc = metricsDoc();
    const metrics = new ConsoleMetrics({ vms: [], journal: null });
    try {
      const names = [metrics.registry, metrics.process!].flatMap((r) =>
        r.getMetricsAsArray().map((m) => m.name),
      );
      expect(names).toContain('qmp_vm_up');
      expect(names).toContain('process_cpu_seconds_total');
      for (const name of names) expect(doc).toContain(`\`${name}\``);
    } finally {
      metrics.close();
    }
  });
});
