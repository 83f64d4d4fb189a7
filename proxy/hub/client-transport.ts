// What the hub needs from a client connection; WebSocket and plain QMP sockets both provide it.

export interface ClientTransport {
  readonly kind: 'websocket' | 'socket';
  /** For the audit trail and logs, e.g. `127.0.0.1:51234` or `unix`. */
  readonly remoteAddress: string;
  /** Sends one QMP message (a JSON text without line terminator). */
  send(text: string): void;
  /** Bytes queued for this client and not yet taken by the peer. */
  bufferedBytes(): number;
  close(code: number, reason: string): void;
}
