// kill -9 of the console during an event storm, then a restart on the same data dir: the journal holds
// every event any client received, with contiguous sequence numbers. A real QEMU; its second monitor
// drives the storm and is the ground truth.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VmSummary } from '../../protocol/api.ts';
import type { JournalRecord } from '../../protocol/journal.ts';
import type { QmpEvent } from '../../protocol/qmp.ts';
import { eventually } from '../test-support/eventually.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectQmp, type QmpSocketClient } from '../test-support/qmp-socket-client.ts';
import { connectSse } from '../test-support/sse-client.ts';
import { connectWsQmp } from '../test-support/ws-qmp-client.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOKEN = 'journal-crash-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

const qemu = useQemu({ secondMonitor: true, disks: [{ id: 'bad0', fail: 'eio' }] });
let truth: QmpSocketClient;
let dataDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  truth = await connectQmp(qemu().secondMonitorPath!);
  await truth.negotiate();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'journal-crash-'));
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await truth?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface ConsoleProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

/** `qmp-console` as its own process (`node --import tsx proxy/main.ts`: one process, so kill -9 hits it). */
async function spawnConsole(): Promise<ConsoleProcess> {
  const args = ['--listen', '127.0.0.1:0', '--target', `vm=unix:${qemu().qmpPath}`];
  args.push('--data-dir', dataDir, '--token', TOKEN);
  const child = spawn(process.execPath, ['--import', 'tsx', 'proxy/main.ts', ...args], {
    cwd: repo,
    env: { ...process.env, QMP_CONSOLE_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  void exited.then(() => children.delete(child));
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`console did not start: ${out} ${err}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /open (https?:\/\/[^\s?]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(() => reject(new Error(`console exited: ${out} ${err}`)));
  });
  await eventually('the console to connect', async () => {
    const vms = (await (await fetch(`${url}api/vms`, { headers: auth })).json()) as VmSummary[];
    return vms[0]?.state === 'connected' ? true : undefined;
  });
  return { child, url, exited };
}

const key = (e: Pick<QmpEvent, 'event' | 'data' | 'timestamp'>) =>
  `${e.event} ${e.timestamp.seconds}.${String(e.timestamp.microseconds).padStart(6, '0')} ${JSON.stringify(e.data ?? null)}`;

describe('kill -9 during a storm, then restart on the same data dir', () => {
  it('keeps every event any client received, with contiguous sequence numbers', async () => {
    const first = await spawnConsole();
    const ws = await connectWsQmp(`${first.url.replace(/^http/, 'ws')}qmp/vm`, { headers: auth });
    await ws.negotiate();
    const sse = await connectSse(`${first.url}api/vms/vm/events/stream?after=0`, auth);
    await sse.waitFor((m) => m.event === 'alerts');

    // The storm: cont after every STOP until told to stop.
    const truthFrom = truth.events.length;
    let storming = true;
    let lastStop: () => void = () => {};
    const stopped = new Promise<void>((r) => {
      lastStop = r;
    });
    const off = truth.onEvent((e) => {
      if (e.event !== 'STOP') return;
      if (storming) void truth.execute('cont').catch(() => {});
      else {
        off();
        lastStop();
      }
    });
    void truth.execute('cont');

    const wsEvents = () => ws.messages.filter((m) => 'event' in m) as unknown as QmpEvent[];
    await ws.waitFor(() => wsEvents().length >= 1500, 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    storming = false;
    await stopped;
    await ws.closed;
    await sse.closed;
    const receivedWs = wsEvents();
    const receivedSse = sse.messages
      .filter((m) => m.event === 'qmp')
      .map((m) => JSON.parse(m.data) as JournalRecord);
    const truthStorm = truth.events.slice(truthFrom);

    const second = await spawnConsole();
    try {
      const text = await (
        await fetch(`${second.url}api/events?order=asc&format=ndjson`, { headers: auth })
      ).text();
      const journal = text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as JournalRecord);
      const seqs = journal.map((r) => r.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));

      // First run: CONSOLE_CONNECTED, the storm's events as far as they were committed.
      const restart = journal.findIndex((r, i) => i > 0 && r.event === 'CONSOLE_CONNECTED');
      expect(journal[0]).toMatchObject({ event: 'CONSOLE_CONNECTED', source: 'console' });
      expect(restart).toBeGreaterThan(0);
      const firstRun = journal.slice(1, restart);
      expect(firstRun.every((r) => r.source === undefined)).toBe(true);
      // The second run starts with its own connection record, right after the first run's last event.
      expect(journal[restart]).toMatchObject({ source: 'console', seq: firstRun.at(-1)!.seq + 1 });

      // Every event the WebSocket client received is there, in the same order...
      expect(receivedWs.length).toBeGreaterThanOrEqual(1500);
      expect(firstRun.length).toBeGreaterThanOrEqual(receivedWs.length);
      expect(firstRun.slice(0, receivedWs.length).map(key)).toEqual(receivedWs.map(key));
      // ...and every record the SSE client received, identical.
      const bySeq = new Map(journal.map((r) => [r.seq, r]));
      expect(receivedSse.length).toBeGreaterThan(0);
      for (const r of receivedSse) expect(bySeq.get(r.seq)).toEqual(r);
      // What the journal kept is exactly the start of what QEMU sent.
      expect(firstRun.map(key)).toEqual(truthStorm.slice(0, firstRun.length).map(key));
      process.stdout.write(
        `kill -9 mid-storm: QEMU sent ${truthStorm.length} events, WS client got ${receivedWs.length}, SSE ${receivedSse.length}, journal kept ${firstRun.length}\n`,
      );
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
