// The processes a test run starts (QEMU, Prometheus, Alertmanager, nats-server) and their temp dirs go
// with it, even when vitest is interrupted (Ctrl+C, SIGTERM) instead of reaching its afterAll hooks.
const cleanups = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const cleanup of cleanups) cleanup();
}

/** Runs `cleanup` when the process exits or is stopped by SIGINT/SIGTERM (once registered, idempotent). */
export function killOnExit(cleanup: () => void): void {
  cleanups.add(cleanup);
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      runAll();
      // Keep the signal's usual effect unless someone else handles it too: re-raise without us.
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}
