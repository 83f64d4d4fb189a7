// A scripted stand-in for the proxy's `/qmp/NAME` WebSocket, for unit and component tests.
import type { Json, JsonObject, QmpCommand } from '../../../protocol/qmp.ts';
import type { WebSocketFactory, WebSocketLike } from '../qmp/qmp-client.ts';

export const GREETING = {
  QMP: {
    version: { qemu: { micro: 22, minor: 2, major: 7 }, package: 'Debian 1:7.2+dfsg-7+deb12u18+b3' },
    capabilities: ['oob'],
  },
};

export class FakeQmpSocket implements WebSocketLike {
  readyState = 0;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  /** Every frame the client sent, parsed. */
  readonly sent: QmpCommand[] = [];
  closedByClient: { code?: number; reason?: string } | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
    this.sent.push(JSON.parse(data) as QmpCommand);
  }

  close(code?: number, reason?: string): void {
    this.closedByClient = { code, reason };
    this.readyState = 3;
  }

  // --- the server's side ---

  open(): void {
    this.readyState = 1;
  }

  receive(message: unknown): void {
    this.receiveRaw(JSON.stringify(message));
  }

  receiveRaw(frame: string): void {
    this.onmessage?.({ data: frame } as MessageEvent);
  }

  /** The server closes (or the connection fails, code 1006). */
  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean: code !== 1006 } as CloseEvent);
  }

  /** The last command sent with this name. */
  lastSent(execute: string): QmpCommand {
    const found = this.sent.findLast((c) => c.execute === execute);
    if (!found) throw new Error(`no ${execute} sent; sent: ${JSON.stringify(this.sent)}`);
    return found;
  }

  reply(execute: string, value: Json = {}): void {
    this.receive({ return: value, id: this.lastSent(execute).id ?? null });
  }

  replyError(execute: string, cls: string, desc: string): void {
    this.receive({ error: { class: cls, desc }, id: this.lastSent(execute).id ?? null });
  }

  /** Open, greet and accept `qmp_capabilities`. */
  handshake(): void {
    this.open();
    this.receive(GREETING);
    this.reply('qmp_capabilities');
  }

  event(event: string, data?: JsonObject): void {
    this.receive({ event, ...(data ? { data } : {}), timestamp: { seconds: 1700000000, microseconds: 1 } });
  }
}

/** A socket factory that records every socket it makes. */
export function fakeSocketFactory(): {
  create: WebSocketFactory;
  sockets: FakeQmpSocket[];
  last(): FakeQmpSocket;
} {
  const sockets: FakeQmpSocket[] = [];
  return {
    create: (url) => {
      const s = new FakeQmpSocket(url);
      sockets.push(s);
      return s;
    },
    sockets,
    last() {
      const s = sockets.at(-1);
      if (!s) throw new Error('no socket opened');
      return s;
    },
  };
}
