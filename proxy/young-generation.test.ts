import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// In a child process: the flag is process-wide, and the test runner's own heap must keep V8's default.
const moduleUrl = new URL('./young-generation.ts', import.meta.url).href;
const script = (cap: boolean) => `
import v8 from 'node:v8';
import { capYoungGeneration } from ${JSON.stringify(moduleUrl)};
if (${cap}) capYoungGeneration(4 * 1024 * 1024);
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
// Objects that live a while (as journal rows waiting for SQLite do) survive scavenges: V8 grows the space.
let kept = [];
let max = 0;
for (let round = 0; round < 150; round++) {
  for (let i = 0; i < 5000; i++) kept.push({ i, text: 'x' + i });
  if (kept.length > 200000) kept = kept.slice(100000);
  max = Math.max(max, newSpace());
  await new Promise((r) => setImmediate(r));
}
process.stdout.write(String(max / 1024 / 1024));
`;

function peakNewSpaceMiB(cap: boolean): number {
  const out = execFileSync(
    process.execPath,
    ['--max-semi-space-size=16', '--import', 'tsx', '--input-type=module', '-e', script(cap)],
    { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' },
  );
  return Number(out);
}

describe('capYoungGeneration', () => {
  it('stops the new space growing once it reached the size kept', () => {
    expect(peakNewSpaceMiB(false)).toBeGreaterThan(4);
    expect(peakNewSpaceMiB(true)).toBeLessThanOrEqual(4);
  }, 60_000);
});
