// The VM's screen as PNG: QEMU's `screendump` writes the file itself (QEMU's process, QEMU's user), into a
// private directory the console reads it back from and deletes. Tabs share one dump per VM per interval.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConsoleCommandError } from '../hub/console-command.ts';

/** What runs a console command on a VM (VmHub.execute). */
export type ExecuteOn = (
  vm: string,
  command: string,
  args?: Record<string, unknown>,
  options?: { timeoutMs?: number },
) => Promise<unknown>;

export interface ScreenShot {
  png: Buffer;
  /** Epoch ms the dump was taken. */
  at: number;
}

/** A screendump that did not give a picture: `no-display` when QEMU refused it (no console, no VGA). */
export class ScreenCaptureError extends Error {
  override name = 'ScreenCaptureError';
  constructor(
    readonly code: 'no-display' | 'not-connected' | 'unreadable',
    message: string,
  ) {
    super(message);
  }
}

export interface ScreenCaptureOptions {
  /** Requests within this long of a dump share it (default 1000 ms). */
  minIntervalMs?: number;
  /** How long QEMU may take to write the file (default 5 s). */
  timeoutMs?: number;
  now?: () => number;
}

interface VmScreen {
  last: ScreenShot | null;
  inflight: Promise<ScreenShot> | null;
}

export class ScreenCapture {
  /** 0700 (mkdtemp's mode): QEMU runs as this user and writes here; nobody else can read the screens. */
  readonly dir: string;
  private readonly screens = new Map<string, VmScreen>();
  private readonly minIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly execute: ExecuteOn,
    options: ScreenCaptureOptions = {},
  ) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-screens-'));
    this.minIntervalMs = options.minIntervalMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

  /** The VM's screen now, or the one taken less than `minIntervalMs` ago. */
  screen(vm: string): Promise<ScreenShot> {
    let entry = this.screens.get(vm);
    if (!entry) {
      entry = { last: null, inflight: null };
      this.screens.set(vm, entry);
    }
    if (entry.last && this.now() - entry.last.at < this.minIntervalMs) return Promise.resolve(entry.last);
    if (entry.inflight) return entry.inflight;
    const e = entry;
    e.inflight = this.dump(vm)
      .then((shot) => {
        e.last = shot;
        return shot;
      })
      .finally(() => {
        e.inflight = null;
      });
    return e.inflight;
  }

  /** A fresh dump, never shared (the moment of a panic). */
  async dump(vm: string): Promise<ScreenShot> {
    const file = path.join(this.dir, `${randomBytes(8).toString('hex')}.png`);
    const at = this.now();
    try {
      await this.execute(vm, 'screendump', { filename: file, format: 'png' }, { timeoutMs: this.timeoutMs });
    } catch (err) {
      await rm(file, { force: true });
      if (err instanceof ConsoleCommandError && err.reason === 'qmp-error')
        throw new ScreenCaptureError('no-display', err.message.replace(/^screendump: GenericError: /, ''));
      throw new ScreenCaptureError('not-connected', (err as Error).message);
    }
    try {
      return { png: await readFile(file), at };
    } catch (err) {
      // QEMU on another host (a tcp: target) wrote the file there, not here.
      throw new ScreenCaptureError(
        'unreadable',
        `QEMU wrote the screen where this console cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'}): the console and QEMU must share a host`,
      );
    } finally {
      await rm(file, { force: true });
    }
  }

  /** Forgets a VM's last picture (its QEMU went away: the next request dumps anew). */
  forget(vm: string): void {
    this.screens.delete(vm);
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
