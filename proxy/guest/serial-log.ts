// A ringbuf chardev's output, kept by the console. `ringbuf-read` consumes what it returns, so one reader
// (the console) drains QEMU's ring and keeps the bytes; every tab reads the same log by byte offset.
import type { ExecuteOn } from './screen-capture.ts';

export interface SerialChunk {
  /** Byte offset of `data`'s first byte since the console began reading this device. */
  start: number;
  /** Offset after the last byte: the `after` of the next read. */
  end: number;
  /** The bytes, base64 (a guest writes binary too). */
  data: string;
  /** Bytes before `start` that were asked for but are no longer kept. */
  dropped: number;
}

export interface SerialLogOptions {
  /** Bytes kept per device (default 64 KiB, like the demo's ring). */
  keepBytes?: number;
  /** QEMU is asked at most this often per device; reads in between share (default 200 ms). */
  minIntervalMs?: number;
  now?: () => number;
}

/** ringbuf-read's `size`: what one read may take out of the ring. */
const READ_BYTES = 65_536;

class DeviceLog {
  bytes = Buffer.alloc(0);
  /** Offset of `bytes[0]`. */
  base = 0;
  lastRead = Number.NEGATIVE_INFINITY;
  inflight: Promise<void> | null = null;

  append(chunk: Buffer, keep: number): void {
    if (chunk.length === 0) return;
    const all = Buffer.concat([this.bytes, chunk]);
    const cut = Math.max(0, all.length - keep);
    this.bytes = all.subarray(cut);
    this.base += cut;
  }

  get end(): number {
    return this.base + this.bytes.length;
  }
}

export class SerialLog {
  private readonly devices = new Map<string, DeviceLog>();
  private readonly keepBytes: number;
  private readonly minIntervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly execute: ExecuteOn,
    options: SerialLogOptions = {},
  ) {
    this.keepBytes = options.keepBytes ?? 65_536;
    this.minIntervalMs = options.minIntervalMs ?? 200;
    this.now = options.now ?? Date.now;
  }

  /** Drains QEMU's ring (unless just done) and returns what follows `after` (-1: everything kept). */
  async read(vm: string, device: string, after: number): Promise<SerialChunk> {
    const key = JSON.stringify([vm, device]);
    let log = this.devices.get(key);
    if (!log) {
      log = new DeviceLog();
      this.devices.set(key, log);
    }
    await this.drain(vm, device, log);
    const from = after < 0 ? log.base : Math.min(Math.max(after, log.base), log.end);
    return {
      start: from,
      end: log.end,
      data: log.bytes.subarray(from - log.base).toString('base64'),
      dropped: after >= 0 && after < log.base ? log.base - after : 0,
    };
  }

  private drain(vm: string, device: string, log: DeviceLog): Promise<void> {
    if (log.inflight) return log.inflight;
    if (this.now() - log.lastRead < this.minIntervalMs) return Promise.resolve();
    log.lastRead = this.now();
    log.inflight = (async () => {
      // A full read may leave more behind: read on until QEMU's ring is empty (bounded by keepBytes).
      for (let taken = 0; taken < this.keepBytes + READ_BYTES; ) {
        const b64 = (await this.execute(vm, 'ringbuf-read', {
          device,
          size: READ_BYTES,
          format: 'base64',
        })) as string;
        const chunk = Buffer.from(b64, 'base64');
        log.append(chunk, this.keepBytes);
        taken += chunk.length;
        if (chunk.length < READ_BYTES) break;
      }
    })().finally(() => {
      log.inflight = null;
    });
    return log.inflight;
  }
}
