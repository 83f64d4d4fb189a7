// The console's young generation (V8's new space) stops growing at 16 MiB.
//
// V8 doubles the new space (8 → 16 → 32 MiB of semi-spaces) each time the bytes that survived its
// scavenges since the last growth pass its size: in a console that runs for days, that is a matter of
// time, not of load. An event storm fanned out to 100 clients took it to 32 MiB and the console's RSS
// from ~96 to ~113 MiB; held at 16 MiB the same run peaked at ~100 MiB and spent no more time in GC
// (490 ms in 80 pauses against 890 ms in 65: a scavenge of a smaller space is shorter). The flag
// V8 reads when it grows the space (`--semi-space-growth-factor`) is set once the space has reached
// the size kept; `--max-semi-space-size` would do it at start, but only on node's command line.
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

export const YOUNG_GENERATION_BYTES = 16 * 1024 * 1024;

const newSpaceBytes = () =>
  v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;

/** From the first GC after the new space reached `bytes` on, V8 no longer grows it. */
export function capYoungGeneration(bytes = YOUNG_GENERATION_BYTES): void {
  const observer = new PerformanceObserver(() => {
    if (newSpaceBytes() < bytes) return;
    v8.setFlagsFromString('--semi-space-growth-factor=1');
    observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
}
