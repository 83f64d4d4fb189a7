// Writes a socket at once for a lone message, and in one writev for a burst.
//
// A lone command (or its reply) is one write(2) made where it is produced: nothing queued, no cork,
// nothing left for the end of the tick, so whatever the proxy does after it (the audit record, the
// next command) is not in its path. The second write to the same socket within the tick is a burst (a
// pipelining client's frames, replies QEMU sent together): from there the socket is corked, and what
// follows leaves in one writev when the tick ends. Where a read is known to carry a burst (several
// lines in one chunk from QEMU), `holdTick` corks from the first write on: one writev per socket, not a
// write for the first message and a writev for the rest.
import type { Writable } from 'node:stream';

/** Sockets written in this tick; corked ones hold a burst until the tick ends. */
const written = new Set<object>();
const corked = new Set<Writable>();
let endQueued = false;
/** A burst is being read: every write of this tick waits for its end. */
let holding = false;

function endTick(): void {
  endQueued = false;
  holding = false;
  written.clear();
  if (corked.size === 0) return;
  const sockets = [...corked];
  corked.clear();
  for (const socket of sockets) socket.uncork();
}

/** True the first time in this tick that `socket` is to be written: a lone write may go at once. */
export function firstWriteInTick(socket: object): boolean {
  if (written.has(socket)) return false;
  written.add(socket);
  queueEnd();
  return !holding;
}

/** What this tick writes is a burst: every socket's writes leave together when the tick ends. */
export function holdTick(): void {
  holding = true;
  queueEnd();
}

function queueEnd(): void {
  if (!endQueued) {
    endQueued = true;
    process.nextTick(endTick);
  }
}

function corkUntilTickEnds(socket: Writable): void {
  if (corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
}

export function writeInTick(socket: Writable, data: string | Uint8Array): void {
  if (!firstWriteInTick(socket)) corkUntilTickEnds(socket);
  socket.write(data);
}

/**
 * Holds `socket`'s writes from now to the end of the tick: what is written next leaves in one writev
 * with what follows it (a WebSocket's held events, then the reply that must not overtake them).
 */
export function holdForTick(socket: Writable): void {
  firstWriteInTick(socket);
  corkUntilTickEnds(socket);
}
