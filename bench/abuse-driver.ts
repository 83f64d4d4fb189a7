// The abuse of section 10, from its own process (so the measuring process's event loop stays free): a
// viewer's 1 MiB query-status frames (4 waiting at a time, reconnecting when closed for them), STREAMS event streams replaying the whole
// journal (each reopens when it has it all), EXPORTS NDJSON exports of it (each starts again when
// done). Says `ready`, starts on a line on stdin, and on a second line prints what it did as JSON.
// Usage: abuse-driver.ts CONSOLE_URL TOKEN HEAD_SEQ STREAMS EXPORTS
import http from 'node:http';
import WebSocket from 'ws';

const [baseUrl, token, headText, streamsText, exportsText] = process.argv.slice(2);
if (!baseUrl || !token || !headText || !streamsText || !exportsText)
  throw new Error('usage: abuse-driver.ts CONSOLE_URL TOKEN HEAD_SEQ STREAMS EXPORTS');
const head = Number(headText);
const headers = { authorization: `Bearer ${token}` };
const stats = {
  viewerFrames: 0,
  viewerClosed: 0,
  streamBytes: 0,
  replaysDone: 0,
  exportBytes: 0,
  exportsDone: 0,
  refused503: 0,
};
let running = false;
const open = new Set<http.ClientRequest>();

/** A GET read to its end and thrown away; `done` decides on each chunk whether it is complete. */
function drainGet(
  path: string,
  accept: string,
  count: (n: number) => void,
  done: (tail: string) => boolean,
  ended: () => void = () => {},
) {
  const again = () => {
    if (running) drainGet(path, accept, count, done, ended);
  };
  const req = http.get(new URL(path, baseUrl), { headers: { ...headers, accept } }, (res) => {
    if (res.statusCode !== 200) {
      // Refused at a cap: back when the console says (Retry-After), as EventSource and fetch loops do.
      stats.refused503 += res.statusCode === 503 ? 1 : 0;
      const retryMs = Number(res.headers['retry-after'] ?? 1) * 1000;
      res.resume();
      res.on('end', () => setTimeout(again, retryMs));
      return;
    }
    let tail = '';
    res.on('data', (chunk: Buffer) => {
      count(chunk.length);
      tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - 64))).slice(-64);
      if (done(tail)) {
        req.destroy();
        open.delete(req);
        again();
      }
    });
    res.on('end', () => {
      open.delete(req);
      ended();
      again();
    });
  });
  req.on('error', () => open.delete(req));
  open.add(req);
}

function replayStream(): void {
  drainGet(
    'api/events/stream?after=0',
    'text/event-stream',
    (n) => {
      stats.streamBytes += n;
    },
    (tail) => {
      const complete = tail.includes(`id: ${head}\n`);
      if (complete) stats.replaysDone++;
      return complete;
    },
  );
}

function exportJournal(): void {
  drainGet(
    'api/events?format=ndjson',
    'application/x-ndjson',
    (n) => {
      stats.exportBytes += n;
    },
    () => false,
    () => {
      stats.exportsDone++;
    },
  );
}

/**
 * The viewer's frames: 1 MiB each, four waiting at a time, another whenever one is answered; a viewer
 * whose connection is closed for them comes back and goes on.
 */
async function viewer(): Promise<{ start(): void; close(): void }> {
  let ws: WebSocket | null = null;
  const pad = 'x'.repeat(1024 * 1024 - 200);
  let n = 0;
  const send = () => {
    if (running && ws?.readyState === WebSocket.OPEN)
      ws.send(`{"execute":"query-status","arguments":{"pad":"${pad}"},"id":${n++}}`);
  };
  const connect = async (): Promise<void> => {
    const socket = new WebSocket(`${baseUrl!.replace(/^http/, 'ws')}qmp/vm`, { headers });
    socket.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.on('message', function negotiating(data) {
        if (data.toString().includes('"QMP"')) socket.send('{"execute":"qmp_capabilities"}');
        else {
          socket.off('message', negotiating);
          resolve();
        }
      });
    });
    socket.on('message', (data) => {
      const text = data.toString();
      if (text.includes('"event"')) return;
      stats.viewerFrames++;
      send();
    });
    socket.on('close', () => {
      if (!running) return;
      stats.viewerClosed++;
      void connect().then(start, () => {});
    });
    ws = socket;
  };
  const start = () => {
    for (let i = 0; i < 4; i++) send();
  };
  await connect();
  return { start, close: () => ws?.terminate() };
}

const theViewer = await viewer();
process.stdout.write('ready\n');
let lines = 0;
process.stdin.on('data', (d: Buffer) => {
  lines += d.toString().split('\n').length - 1;
  if (lines === 1) {
    running = true;
    for (let i = 0; i < Number(streamsText); i++) replayStream();
    for (let i = 0; i < Number(exportsText); i++) exportJournal();
    theViewer.start();
  } else if (lines >= 2) {
    running = false;
    for (const req of open) req.destroy();
    theViewer.close();
    process.stdout.write(`${JSON.stringify(stats)}\n`);
    process.exit(0);
  }
});
