// How large the console lets V8's heap grow: a console runs for days between storms, and what V8
// takes in a storm (an event storm fanned out to 100 clients) it keeps.
//
// Young generation (the new space): V8 doubles it (up to 32 MiB) while objects keep surviving its
// scavenges, and shrinks it back after a quiet spell (a scavenge while little is allocated). It is held
// at 4 MiB: all of it is RSS, and a storm's short-lived objects (a fan-out frame waits ≤ 16 ms for its
// write) still mostly die in it (the bench's storm: ~250 short scavenges, against ~20 at 32 MiB for
// 28 MiB more RSS). `--max-semi-space-size` would say so at start, but only on node's command line; the
// flag V8 reads when it grows the space, `--semi-space-growth-factor`, is set after each GC instead:
// 2 while doubling stays within the cap, 1 from there. (Set to 1 once and left, a quiet spell would
// shrink the space and pin it at its smallest: every storm after it promoted its garbage.)
//
// Old generation: after a full GC V8 lets the old space grow to 1.1–4× what survived before the next
// one, more the faster it collects. Rows promoted in a storm (a journal row waits for its
// save, a fan-out frame for its write) died soon after, but V8 had grown the space to ~37 MiB for ~12
// MiB that lived, and does not give pages back until it has been quiet for seconds. Growing by 30% (as
// V8 does when it optimises for memory) kept it at ~20 MiB: the console's peak in the bench's storm went
// from ~105–110 to ~90 MiB, with a few more full GCs (concurrent marking, off the event loop).
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

export const YOUNG_GENERATION_BYTES = 4 * 1024 * 1024;
export const OLD_GENERATION_GROWING_PERCENT = 30;

/**
 * The new space's size as V8 will grow it: both semi-spaces at their capacity. Not `space_size`, which
 * is what is committed: right after a full GC V8 may have released the idle semi-space, and that reading
 * (half the capacity) would let the next scavenge double a space already at the cap.
 */
function newSpaceBytes(): number {
  const s = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  return s === undefined ? 0 : 2 * (s.space_used_size + s.space_available_size);
}

/** V8 grows the new space up to `bytes` and no further, again after each time it shrank it. */
export function capYoungGeneration(bytes = YOUNG_GENERATION_BYTES): void {
  let factor = 0;
  const setFactor = () => {
    const f = newSpaceBytes() * 2 <= bytes ? 2 : 1;
    if (f === factor) return;
    factor = f;
    v8.setFlagsFromString(`--semi-space-growth-factor=${f}`);
  };
  // At once too: start-up (module loading) may already have grown the space to the cap, and the
  // next scavenge would double it before any GC entry reached the observer.
  setFactor();
  new PerformanceObserver(setFactor).observe({ entryTypes: ['gc'] });
}

/** The old space grows by `percent` over what survived a full GC before the next one. */
export function limitOldGenerationGrowth(percent = OLD_GENERATION_GROWING_PERCENT): void {
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** The console's heap sizing, set once at start. */
export function sizeHeap(): void {
  limitOldGenerationGrowth();
  capYoungGeneration();
}
