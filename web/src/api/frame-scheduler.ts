// Work that should happen at most once per frame (storms of SSE messages are batched with it).

/** Next animation frame, or a timer when frames do not come (a hidden tab). */
export function frameScheduler(fn: () => void): () => void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    if (raf !== null) cancelAnimationFrame(raf);
    clearTimeout(timer);
    fn();
  };
  const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : null;
  const timer = setTimeout(run, raf === null ? 0 : 200);
  return () => {
    done = true;
    if (raf !== null) cancelAnimationFrame(raf);
    clearTimeout(timer);
  };
}
