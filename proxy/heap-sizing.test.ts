import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// In child processes: the flags are process-wide, and the test runner's own heap must keep V8's defaults.
const moduleUrl = new URL('./heap-sizing.ts', import.meta.url).href;
const MiB = 1024 * 1024;

function runChild(body: string): string {
  return execFileSync(
    process.execPath,
    ['--max-semi-space-size=16', '--expose-gc', '--import', 'tsx', '--input-type=module', '-e', body],
    { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' },
  );
}

const youngScript = (cap: boolean) => `
import v8 from 'node:v8';
import { capYoungGeneration } from ${JSON.stringify(moduleUrl)};
if (${cap}) capYoungGeneration(${4 * MiB});
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
const turn = () => new Promise((r) => setImmediate(r));
// Objects that live a while (as journal rows waiting for SQLite do) survive scavenges: V8 grows the space.
let kept = [];
async function storm(rounds) {
  let max = 0;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < 5000; i++) kept.push({ i, text: 'x' + i });
    if (kept.length > 200000) kept = kept.slice(100000);
    max = Math.max(max, newSpace());
    await turn();
  }
  return max;
}
const first = await storm(150);
// A quiet spell with a scavenge now and then (forced here; in the console, a few events): V8 sees
// little allocated and shrinks the space.
kept = [];
let quietMin = Infinity;
for (let round = 0; round < 100 && quietMin >= first; round++) {
  await new Promise((r) => setTimeout(r, 50));
  globalThis.gc({ type: 'minor' });
  quietMin = Math.min(quietMin, newSpace());
}
const second = await storm(150);
process.stdout.write(JSON.stringify({ first, quietMin, second }));
`;

const oldScript = (limit: boolean) => `
import v8 from 'node:v8';
import { limitOldGenerationGrowth } from ${JSON.stringify(moduleUrl)};
if (${limit}) limitOldGenerationGrowth(30);
const oldSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size;
// Rows that live a while and then go (a storm's journal rows until their save): promoted, then garbage.
const keep = Array.from({ length: 8000 }, (_, i) => ({ i, text: 'k'.repeat(200) + i }));
let live = [];
let max = 0;
for (let round = 0; round < 250; round++) {
  for (let i = 0; i < 2000; i++) live.push({ i, text: 'x'.repeat(100) + i });
  if (live.length > 60000) live = live.slice(30000);
  max = Math.max(max, oldSpace());
  await new Promise((r) => setImmediate(r));
}
process.stdout.write(String(keep.length > 0 ? max : 0));
`;

describe('heap sizing', () => {
  it('grows the new space to the cap and no further, again after a quiet spell shrank it', () => {
    const free = JSON.parse(runChild(youngScript(false)));
    expect(free.first).toBeGreaterThan(4 * MiB);
    const capped = JSON.parse(runChild(youngScript(true)));
    expect(capped.first).toBeLessThanOrEqual(4 * MiB);
    // V8 shrank it in the quiet spell; the next storm finds it grown back to the cap, not pinned small.
    expect(capped.quietMin).toBeLessThan(4 * MiB);
    expect(capped.second).toBeGreaterThanOrEqual(4 * MiB * 0.75);
    expect(capped.second).toBeLessThanOrEqual(4 * MiB);
  }, 60_000);

  it('keeps the old space near what survives when short-lived rows are promoted', () => {
    const free = Number(runChild(oldScript(false)));
    const limited = Number(runChild(oldScript(true)));
    expect(limited).toBeLessThan(free * 0.7);
  }, 60_000);
});
