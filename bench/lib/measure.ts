// The measuring loops, the same code over every path (see links.ts).
import type { QmpLink } from './links.ts';
import { percentile } from './stats.ts';
import { timestampMs } from './watchers.ts';

const isEvent = (text: string) => text.includes('"event"');

/** `n` sequential query-status round trips; each sample in µs. Checks every reply's id. */
export function roundTrips(link: QmpLink, n: number): Promise<Float64Array> {
  return new Promise((resolve, reject) => {
    const samples = new Float64Array(n);
    let i = 0;
    let t0 = 0;
    const next = () => {
      t0 = performance.now();
      link.send(`{"execute":"query-status","id":${i}}`);
    };
    link.onMessage = (text) => {
      const t = performance.now();
      if (isEvent(text)) return;
      if (!text.endsWith(` ${i}}`) && !text.endsWith(`:${i}}`)) {
        link.onMessage = () => {};
        reject(new Error(`${link.path}: reply ${i} has the wrong id: ${text}`));
        return;
      }
      samples[i++] = (t - t0) * 1000;
      if (i < n) next();
      else {
        link.onMessage = () => {};
        resolve(samples);
      }
    };
    next();
  });
}

export interface Throughput {
  commands: number;
  seconds: number;
  perSecond: number;
}

/**
 * Keeps `window` query-status commands in flight for `durationMs`, then lets the last ones finish.
 * Commands per second over the whole time.
 */
export function pipelined(link: QmpLink, durationMs: number, window = 200): Promise<Throughput> {
  return new Promise((resolve) => {
    let sent = 0;
    let done = 0;
    const t0 = performance.now();
    const until = t0 + durationMs;
    let sending = true;
    const send = () => {
      link.send(`{"execute":"query-status","id":${sent++}}`);
    };
    link.onMessage = (text) => {
      if (isEvent(text)) return;
      done++;
      if (sending && (done & 63) === 0 && performance.now() > until) sending = false;
      if (sending) send();
      else if (done === sent) {
        const seconds = (performance.now() - t0) / 1000;
        link.onMessage = () => {};
        resolve({ commands: done, seconds, perSecond: done / seconds });
      }
    };
    for (let k = 0; k < window; k++) send();
  });
}

export interface StormRun {
  /** QEMU events received (RESUME, BLOCK_IO_ERROR, STOP). */
  events: number;
  blockIoErrors: number;
  seconds: number;
  perSecond: number;
  contErrors: number;
  /** Delay from QEMU's event timestamp to receipt on this link, ms. */
  delayP50Ms: number;
  delayP99Ms: number;
}

/**
 * A real BLOCK_IO_ERROR storm: `cont`, and again after each STOP, for `durationMs`. The VM needs a
 * disk that fails reads with rerror=stop on ide.0 (each `cont` retries SeaBIOS's read: RESUME,
 * BLOCK_IO_ERROR, STOP). Ends after `durationMs` or `maxEvents` events, at the next STOP. Events per second
 * from the first `cont` to the last STOP.
 */
export function storm(
  link: QmpLink,
  durationMs: number,
  maxEvents = Number.POSITIVE_INFINITY,
): Promise<StormRun> {
  return new Promise((resolve, reject) => {
    let events = 0;
    let blockIoErrors = 0;
    let contErrors = 0;
    let id = 0;
    const t0 = performance.now();
    const until = t0 + durationMs;
    let lastEvent = t0;
    const delays: number[] = [];
    const cont = () => link.send(`{"execute":"cont","id":${id++}}`);
    const watchdog = setInterval(() => {
      if (performance.now() - lastEvent > 3000) {
        clearInterval(watchdog);
        link.onMessage = () => {};
        reject(new Error(`${link.path}: storm stalled (no event for 3 s after ${events} events)`));
      }
    }, 500);
    link.onMessage = (text) => {
      if (!isEvent(text)) {
        // `cont` racing a stop still in progress: try again shortly.
        if (text.includes('"error"')) {
          contErrors++;
          setTimeout(cont, 1);
        }
        return;
      }
      events++;
      lastEvent = performance.now();
      delays.push(performance.timeOrigin + lastEvent - timestampMs(text));
      if (text.includes('"BLOCK_IO_ERROR"')) blockIoErrors++;
      else if (text.includes('"STOP"')) {
        if (lastEvent < until && events < maxEvents) cont();
        else {
          clearInterval(watchdog);
          link.onMessage = () => {};
          const seconds = (lastEvent - t0) / 1000;
          resolve({
            events,
            blockIoErrors,
            seconds,
            perSecond: events / seconds,
            contErrors,
            delayP50Ms: percentile(delays, 50),
            delayP99Ms: percentile(delays, 99),
          });
        }
      }
    };
    cont();
  });
}
