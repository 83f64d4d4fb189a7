// The console and its journal at start: flags, and refusing to run without its memory.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, parseCliArgs } from '../config/cli-config.ts';
import { startConsole } from '../console.ts';
import { eventually } from '../test-support/eventually.ts';
import { JournalOpenError } from './journal-store.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'journal-startup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const config = (...extra: string[]) => {
  const c = parseCliArgs(
    [
      '--listen',
      '127.0.0.1:0',
      '--target',
      `vm=unix:${dir}/none.qmp`,
      '--data-dir',
      dir,
      '--no-auth',
      ...extra,
    ],
    { HOME: dir },
  );
  if (c === 'help') throw new Error('help');
  return c;
};

describe('journal flags', () => {
  it('defaults: a million events, no age limit', () => {
    expect(config().journal).toEqual({ maxEvents: 1_000_000, maxAgeMs: null });
  });
  it('--journal-max-events and --journal-max-age', () => {
    expect(config('--journal-max-events', '5000', '--journal-max-age', '30d').journal).toEqual({
      maxEvents: 5000,
      maxAgeMs: 30 * 86_400_000,
    });
    expect(config('--journal-max-age', '12h').journal.maxAgeMs).toBe(12 * 3_600_000);
  });
  it('bad values name the flag', () => {
    expect(() => config('--journal-max-events', '0')).toThrow(ConfigError);
    expect(() => config('--journal-max-events', 'many')).toThrow(/--journal-max-events "many"/);
    expect(() => config('--journal-max-age', '30')).toThrow(/--journal-max-age "30" is not a duration/);
  });
});

describe('startConsole', () => {
  it('refuses to start on a corrupt journal, with a message naming the file', async () => {
    writeFileSync(path.join(dir, 'journal.sqlite'), 'garbage '.repeat(1000));
    const err = await startConsole(config()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalOpenError);
    expect((err as Error).message).toBe(
      `event journal ${path.join(dir, 'journal.sqlite')}: is not an SQLite database: file is not a database (SQLITE_NOTADB) (move the file aside to start a new journal)`,
    );
  });

  it('refuses to start when the journal cannot be created', async () => {
    mkdirSync(path.join(dir, 'journal.sqlite'));
    await expect(startConsole(config())).rejects.toThrow(/journal\.sqlite: is a directory/);
  });

  it('serves the journal API and records the console’s view of an unreachable VM', async () => {
    const running = await startConsole(config(), { upstream: { initialBackoffMs: 10_000 } });
    try {
      type Page = { events: { event: string; source?: string; data?: { reason?: string } }[] };
      const body = await eventually('the disconnect journaled', async () => {
        const page = (await (await fetch(`${running.url}api/vms/vm/events`)).json()) as Page;
        return page.events.length > 0 ? page : undefined;
      });
      expect(body.events).toMatchObject([{ event: 'CONSOLE_DISCONNECTED', source: 'console' }]);
      expect(body.events[0]!.data?.reason).toMatch(/no such socket/);
      const vms = await (await fetch(`${running.url}api/vms`)).json();
      expect(vms[0].journal).toMatchObject({ ok: true });
    } finally {
      await running.stop();
    }
  });

  it('reports a disk-full journal on /api/vms and /api/journal, and recovers', async () => {
    const running = await startConsole(config(), {
      upstream: { initialBackoffMs: 10_000 },
      journal: { retryInitialMs: 10, retryMaxMs: 20 },
    });
    try {
      const db = running.journal.store.db;
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
      const vm = running.hub.get('vm')!;
      // Events as QEMU would send them, straight into the hub's sink.
      for (let i = 0; i < 500; i++)
        running.journal.sink(
          'vm',
          { event: 'X', data: { pad: 'x'.repeat(500) }, timestamp: { seconds: 1, microseconds: i } },
          '',
          () => {},
        );
      // Delivered, and the database's fill tried (it runs behind delivery).
      running.journal.settle();
      const vms = await (await fetch(`${running.url}api/vms`)).json();
      expect(vms[0].name).toBe(vm.name);
      expect(vms[0].journal).toMatchObject({
        ok: false,
        error: expect.stringMatching(/SQLITE_FULL/),
        backlog: expect.any(Number),
      });
      const status = await (await fetch(`${running.url}api/journal`)).json();
      expect(status.ok).toBe(false);
      // Still readable, backlog included.
      const page = await (await fetch(`${running.url}api/vms/vm/events?limit=1`)).json();
      expect(page.events[0].seq).toBe(running.journal.headSeq);
      db.pragma('max_page_count = 1073741823');
      await eventually('the journal to recover', async () =>
        (await (await fetch(`${running.url}api/journal`)).json()).ok === true ? true : undefined,
      );
    } finally {
      await running.stop();
    }
  });
});
