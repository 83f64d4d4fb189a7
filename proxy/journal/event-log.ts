// The journal's append-only log: where an event is written before any client sees it.
//
// A batch of events becomes one `write` to a file opened for appending: a kill -9 of the console cannot
// lose what the kernel accepted, and the write costs a few microseconds where an SQLite commit (a row,
// two index entries, the WAL frame) cost twenty. SQLite is filled behind it; once everything the log
// holds is in SQLite the log is cut back to zero. At start the log's rows that SQLite lacks are read
// back, so the database ends with every event any client received.
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { EventRow } from './event-row.ts';

/** One row per line: a JSON array, QEMU's `data` spliced in as the journal already holds it. */
export function logLine(r: EventRow): string {
  return `[${r.seq},${JSON.stringify(r.vm)},${JSON.stringify(r.event)},${r.tsSeconds},${r.tsMicro},${r.received},"${r.source}",${r.data ?? 'null'}]\n`;
}

function parseLine(line: string): EventRow | null {
  let a: unknown;
  try {
    a = JSON.parse(line);
  } catch {
    // A line cut short by a crash of the machine (not of the console: its write either happened or not).
    return null;
  }
  if (!Array.isArray(a) || a.length !== 8 || typeof a[0] !== 'number') return null;
  const [seq, vm, event, tsSeconds, tsMicro, received, source, data] = a as [
    number,
    string,
    string,
    number,
    number,
    number,
    'qemu' | 'console',
    unknown,
  ];
  return {
    seq,
    vm,
    event,
    tsSeconds,
    tsMicro,
    received,
    source,
    data: data === null ? null : JSON.stringify(data),
  };
}

export class EventLog {
  private fd: number;
  private bytes = 0;

  constructor(readonly file: string) {
    // Private to the console's user, like the database beside it.
    this.fd = openSync(file, 'a+', 0o600);
  }

  /** The rows the log holds, in order (those left by a console that stopped before filling SQLite). */
  recover(): EventRow[] {
    const text = readFileSync(this.file, 'utf8');
    this.bytes = Buffer.byteLength(text);
    const rows: EventRow[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const row = parseLine(line);
      if (row) rows.push(row);
    }
    return rows;
  }

  /** Appends the rows in one write; throws (ENOSPC, EIO) when the kernel does not take all of it. */
  append(rows: readonly EventRow[]): void {
    let text = '';
    for (const r of rows) text += logLine(r);
    const buf = Buffer.from(text);
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off);
    } catch (err) {
      // A part written before the disk filled up would run into the next batch's first line.
      if (off > 0)
        try {
          ftruncateSync(this.fd, this.bytes);
        } catch {}
      throw err;
    }
    this.bytes += buf.length;
  }

  /** Bytes written since the log was last cut back. */
  get size(): number {
    return this.bytes;
  }

  /** Everything in the log is in SQLite now: start again from zero. */
  clear(): void {
    if (this.bytes === 0) return;
    ftruncateSync(this.fd);
    this.bytes = 0;
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }
}
