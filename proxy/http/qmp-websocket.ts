// `/qmp/NAME`: each WebSocket is one client QMP session, one JSON object per text frame.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { CloseCode } from '../../protocol/api.ts';
import type { ClientContext } from '../../protocol/journal.ts';
import type { ClientSession } from '../hub/client-session.ts';
import type { ClientTransport } from '../hub/client-transport.ts';
import type { ConsoleHub } from '../hub/console-hub.ts';
import { holdForTick, holdTick, writeInTick } from '../qmp/tick-writes.ts';
import { EventFrames } from './event-fan-out.ts';

/** Viewers' arguments are names; 4 KiB is about 40 ms of QEMU 7.2 reading them. */
export const DEFAULT_MAX_VIEWER_FRAME_BYTES = 4096;

export interface WebSocketLimits {
  maxFrameBytes: number;
  /**
   * A viewer's frames: its commands (`query-*`, `qom-list*`) take names, and a long frame only costs the
   * console a parse and QEMU (which reads a byte per system call) its monitor. Past it: closed with 1009
   * as soon as the frame's header says so, before any of it is read.
   */
  maxViewerFrameBytes?: number;
  heartbeatMs: number;
}

export function createQmpWebSocketServer(hub: ConsoleHub, limits: WebSocketLimits) {
  const server = (maxPayload: number) =>
    new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false });
  const servers = {
    operator: server(limits.maxFrameBytes),
    viewer: server(Math.min(limits.maxFrameBytes, limits.maxViewerFrameBytes ?? limits.maxFrameBytes)),
  };
  const clients = () => [...servers.operator.clients, ...servers.viewer.clients];
  const alive = new WeakMap<WebSocket, boolean>();

  // Ends peers that stopped answering pings (a sleeping laptop, a dropped network).
  const heartbeat = setInterval(() => {
    for (const ws of clients()) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, limits.heartbeatMs);
  heartbeat.unref();

  function handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    vmName: string,
    context: ClientContext,
  ): void {
    const vm = hub.get(vmName);
    if (!vm) {
      refuse(socket, 404, `unknown VM "${vmName}"`);
      return;
    }
    servers[context.role].handleUpgrade(req, socket, head, (ws) => {
      alive.set(ws, true);
      // Before ws reads the chunk: a pipelining client's frames leave for QEMU in one write.
      socket.prependListener('data', holdIfSeveralFrames);
      ws.on('pong', () => alive.set(ws, true));
      const transport = webSocketTransport(ws, socket, context.remoteAddress);
      let session: ClientSession | null = null;
      // A protocol error (1007 bad UTF-8, 1009 too big): ws has sent that close frame and drains the peer.
      // Cutting the socket at once could lose the frame (the peer sees 1006); a peer that never closes is cut later.
      ws.on('error', () => setTimeout(() => ws.terminate(), 1000).unref());
      ws.on('close', () => {
        if (session) vm.detach(session);
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          ws.close(CloseCode.UNSUPPORTED_DATA, 'binary frames are not accepted: send QMP as text');
          return;
        }
        session?.handleMessage(data.toString());
      });
      session = vm.attach(transport, context);
    });
  }

  return {
    handleUpgrade,
    close(): void {
      clearInterval(heartbeat);
      for (const ws of clients()) ws.terminate();
      servers.operator.close();
      servers.viewer.close();
    },
  };
}

/**
 * The text frame (FIN, unmasked: server to client) carrying `text`. Built once for the last text
 * asked for: an event goes to every client of a VM in turn, so a fan-out to N clients builds one
 * frame and writes that same buffer N times.
 */
let lastText: string | null = null;
let lastFrame: Buffer = Buffer.alloc(0);
export function textFrame(text: string): Buffer {
  if (text === lastText) return lastFrame;
  const length = Buffer.byteLength(text);
  const head = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x81;
  if (head === 2) frame[1] = length;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(text, head, 'utf8');
  lastText = text;
  lastFrame = frame;
  return frame;
}

export function webSocketTransport(ws: WebSocket, socket: Duplex, remoteAddress: string): ClientTransport {
  // QEMU's events (they begin with `{"timestamp"`, replies never do) wait for the fan-out's write.
  const events = new EventFrames(ws, socket);
  return {
    kind: 'websocket',
    remoteAddress,
    send: (text) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (text.startsWith('{"timestamp"')) {
        events.push(textFrame(text));
        return;
      }
      // Whole frames straight to the socket: without permessage-deflate, ws's own sender writes
      // (close, ping) are whole frames too and synchronous, so the two never interleave; and
      // ws.bufferedAmount still counts these bytes (the socket's write queue).
      // The events QEMU sent before this reply go first, in the same write.
      events.replied();
      if (events.bytes > 0) {
        holdForTick(socket);
        events.writeNow();
      }
      // A lone reply: on the wire at once, before the proxy does anything else (its audit record);
      // a burst of them leaves in one writev at the end of the tick.
      writeInTick(socket, textFrame(text));
    },
    bufferedBytes: () => ws.bufferedAmount + events.bytes,
    close: (code, reason) => {
      events.writeNow();
      ws.close(code, reason);
      // A peer that stopped reading never acknowledges the close frame.
      setTimeout(() => ws.terminate(), 1000).unref();
    },
  };
}

/**
 * Holds this tick's writes (tick-writes) when a chunk from a client carries more than its first frame:
 * the commands of a burst then go to QEMU in one write, not the first alone and the rest in another.
 * Only a hint: a chunk that starts inside a frame reads as something else, and costs a cork at most.
 */
export function holdIfSeveralFrames(chunk: Buffer): void {
  if (chunk.length < 2) return;
  const length = chunk[1]! & 0x7f;
  const mask = chunk[1]! & 0x80 ? 4 : 0;
  const frameEnd =
    length < 126
      ? 2 + mask + length
      : length === 126 && chunk.length >= 4
        ? 4 + mask + chunk.readUInt16BE(2)
        : Number.POSITIVE_INFINITY;
  if (chunk.length > frameEnd) holdTick();
}

/** Answers a refused upgrade with a plain HTTP status, before any WebSocket exists. */
export function refuse(
  socket: Duplex,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const reason =
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      503: 'Service Unavailable',
    }[status] ?? 'Error';
  const body = `${message}\n`;
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n${extra}Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
