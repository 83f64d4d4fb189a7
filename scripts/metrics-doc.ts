// Writes docs/metrics.md from the console's metrics registry:  npm run docs:metrics
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { metricsDoc } from '../proxy/metrics/metrics-doc.ts';

const file = path.join(import.meta.dirname, '../docs/metrics.md');
writeFileSync(file, metricsDoc());
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
