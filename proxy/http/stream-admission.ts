// Long responses (event streams, NDJSON exports) hold a connection and keep costing the console work for
// as long as they run: bounded in total and per remote address, so a client opening thousands cannot
// take what the others need. Past a cap: 503 with a JSON error and Retry-After, never a hang.
import type http from 'node:http';
import { sendJson } from './send-json.ts';

export interface StreamLimits {
  /** `--max-streams`: Server-Sent Event streams open at once (`/api/stream`, the journal's streams). */
  maxStreams: number;
  /** `--max-streams-per-address`: the same from one remote address. */
  maxStreamsPerAddress: number;
  /** `--max-exports`: NDJSON exports of the journal running at once. */
  maxExports: number;
  /** `--max-exports-per-address`: the same from one remote address. */
  maxExportsPerAddress: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxStreams: 256,
  maxStreamsPerAddress: 64,
  maxExports: 4,
  maxExportsPerAddress: 2,
};

/** The flag whose cap refused a request, as the metrics label it. */
export type AdmissionLimit =
  | 'max-streams'
  | 'max-streams-per-address'
  | 'max-exports'
  | 'max-exports-per-address';

/** Seconds a refused client is told to wait: long responses end on their own time, not soon. */
const RETRY_AFTER_SECONDS = 5;

/** Places for one kind of long response, counted in total and per remote address. */
export class Admission {
  private open = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly what: string,
    private readonly limits: { total: number; perAddress: number },
    private readonly names: { total: AdmissionLimit; perAddress: AdmissionLimit },
    private readonly onRefused: (limit: AdmissionLimit) => void = () => {},
  ) {}

  get count(): number {
    return this.open;
  }

  /**
   * Takes a place for this response, given back when it closes; or answers 503 (with Retry-After)
   * and returns false.
   */
  admit(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const address = req.socket.remoteAddress ?? '?';
    const fromAddress = this.perAddress.get(address) ?? 0;
    const limit =
      this.open >= this.limits.total
        ? this.names.total
        : fromAddress >= this.limits.perAddress
          ? this.names.perAddress
          : null;
    if (limit !== null) {
      this.onRefused(limit);
      const cap = limit === this.names.total ? this.limits.total : this.limits.perAddress;
      res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
      sendJson(res, 503, {
        error: `too many ${this.what} open (--${limit} ${cap}); try again when one has closed`,
        code: limit,
      });
      return false;
    }
    this.open++;
    this.perAddress.set(address, fromAddress + 1);
    res.once('close', () => {
      this.open--;
      const n = (this.perAddress.get(address) ?? 1) - 1;
      if (n === 0) this.perAddress.delete(address);
      else this.perAddress.set(address, n);
    });
    return true;
  }
}

export interface Admissions {
  streams: Admission;
  exports: Admission;
}

export function createAdmissions(
  limits: StreamLimits,
  onRefused?: (limit: AdmissionLimit) => void,
): Admissions {
  return {
    streams: new Admission(
      'event streams',
      { total: limits.maxStreams, perAddress: limits.maxStreamsPerAddress },
      { total: 'max-streams', perAddress: 'max-streams-per-address' },
      onRefused,
    ),
    exports: new Admission(
      'exports',
      { total: limits.maxExports, perAddress: limits.maxExportsPerAddress },
      { total: 'max-exports', perAddress: 'max-exports-per-address' },
      onRefused,
    ),
  };
}
