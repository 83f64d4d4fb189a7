// docs/benchmarks.md: the latest full run's table, with the machine it came from.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatMarkdown, type Report } from './report.ts';
import { ROOT } from './servers.ts';

export function writeBenchmarksDoc(
  report: Report,
  machine: {
    nproc: number;
    cpu: string | undefined;
    memoryGiB: number;
    qemu: string;
    node: string;
    kernel: string;
  },
  date: string,
  totalSeconds: number,
): void {
  const text = `# Benchmarks

\`npm run bench\` measures every figure of [issue 9](../README.md) beside its reference, in one run on one
machine, and writes this page and \`bench/results/latest.json\`.

## Latest figures

${date.slice(0, 10)}, ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB RAM, ${machine.qemu},
Node ${machine.node}, Linux ${machine.kernel}; the whole run took ${totalSeconds} s.

${formatMarkdown(report)}
`;
  writeFileSync(path.join(ROOT, 'docs/benchmarks.md'), text);
}
