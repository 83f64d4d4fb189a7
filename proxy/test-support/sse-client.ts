// A Server-Sent Events client for tests: parses the stream as EventSource does, keeps every message.
import http from 'node:http';

export interface SseMessage {
  /** The `id:` field if the message had one. */
  id?: string;
  event: string;
  data: string;
}

export interface SseClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  messages: SseMessage[];
  /** Comment lines seen (heartbeats). */
  comments: number;
  /** What EventSource would send as Last-Event-ID on reconnect. */
  lastEventId: string;
  waitFor(predicate: (m: SseMessage, all: SseMessage[]) => boolean, timeoutMs?: number): Promise<SseMessage>;
  /** Stops reading from the socket (a slow client). */
  pause(): void;
  resume(): void;
  close(): void;
  closed: Promise<void>;
  /** The response body, for non-200 answers. */
  body(): Promise<string>;
}

export function connectSse(
  url: string,
  headers: Record<string, string> = {},
  options: Pick<http.RequestOptions, 'localAddress'> = {},
): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { ...options, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const messages: SseMessage[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      let ended = false;
      let resolveClosed!: () => void;
      const closed = new Promise<void>((r) => {
        resolveClosed = r;
      });
      const client: SseClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        messages,
        comments: 0,
        lastEventId: '',
        waitFor(predicate, timeoutMs = 10_000) {
          return new Promise((ok, fail) => {
            let scanned = 0;
            const check = () => {
              for (; scanned < messages.length; scanned++)
                if (predicate(messages[scanned]!, messages)) {
                  done();
                  ok(messages[scanned]!);
                  return;
                }
              if (ended) {
                done();
                fail(new Error(`stream ended while waiting (${messages.length} messages)`));
              }
            };
            const timer = setTimeout(() => {
              done();
              fail(
                new Error(
                  `timed out after ${timeoutMs} ms; ${messages.length} messages, last ${JSON.stringify(messages.at(-1))}`,
                ),
              );
            }, timeoutMs);
            const done = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
        pause: () => res.pause(),
        resume: () => res.resume(),
        close: () => req.destroy(),
        closed,
        body: () =>
          new Promise((ok) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => {
              text += c;
            });
            res.on('end', () => ok(text));
          }),
      };
      const finish = () => {
        ended = true;
        resolveClosed();
        for (const w of [...waiters]) w();
      };
      res.on('close', finish);
      res.on('error', finish);
      if (res.statusCode !== 200) {
        resolve(client);
        return;
      }
      res.setEncoding('utf8');
      let current: { id?: string; event?: string; data: string[] } = { data: [] };
      res.on('data', (chunk: string) => {
        // Only the new chunk can hold the end of a line: a long line is not rescanned per chunk.
        let from = buffer.length;
        buffer += chunk;
        for (;;) {
          const nl = buffer.indexOf('\n', from);
          from = 0;
          if (nl < 0) break;
          const line = buffer.slice(0, nl).replace(/\r$/, '');
          buffer = buffer.slice(nl + 1);
          if (line === '') {
            // As EventSource: the id takes effect when its message is dispatched.
            if (current.id !== undefined) client.lastEventId = current.id;
            if (current.data.length > 0 || current.id !== undefined) {
              const m: SseMessage = { event: current.event ?? 'message', data: current.data.join('\n') };
              if (current.id !== undefined) m.id = current.id;
              if (current.data.length > 0) messages.push(m);
            }
            current = { data: [] };
            continue;
          }
          if (line.startsWith(':')) {
            client.comments++;
            continue;
          }
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') current.id = value;
          else if (field === 'event') current.event = value;
          else if (field === 'data') current.data.push(value);
        }
        for (const w of [...waiters]) w();
      });
      resolve(client);
    });
    req.on('error', reject);
  });
}
