// The audit trail holds against a flooding viewer and a full disk, on a real QEMU and the real console:
// refusals are counted rather than recorded one by one, the trail has its own retention, and records
// it cannot keep are counted where the console reports its health.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VmSummary } from '../../protocol/api.ts';
import type { AuditList, AuditRecord, JournalStatus } from '../../protocol/journal.ts';
import { startTestConsole, TEST_VIEWER_TOKEN, type TestConsole } from '../test-support/console.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectWsQmp, type WsQmpClient } from '../test-support/ws-qmp-client.ts';

process.env.QMP_CONSOLE_LOG ??= 'error';

const qemu = useQemu();
let tc: TestConsole | null = null;
afterEach(async () => {
  await tc?.stop();
  tc = null;
});

async function start(args: string[], journal: Record<string, number> = {}): Promise<TestConsole> {
  tc = await startTestConsole({
    vms: { vm: qemu().qmpPath },
    args: ['--viewer-token', TEST_VIEWER_TOKEN, ...args],
    // One window for the whole flood, however slowly a loaded machine sends it.
    start: { upstream: { initialBackoffMs: 20, maxBackoffMs: 200 }, journal, refusalWindowMs: 600_000 },
  });
  await vi.waitFor(async () => {
    const [vm] = (await (await tc!.api('/api/vms')).json()) as VmSummary[];
    expect(vm?.state).toBe('connected');
  }, 10_000);
  return tc;
}

async function client(t: TestConsole, token: string): Promise<WsQmpClient> {
  const c = await connectWsQmp(t.wsUrl('vm'), { headers: { authorization: `Bearer ${token}` } });
  await c.negotiate();
  return c;
}

/** Sends `n` commands at once and waits for the reply to the last (replies keep the commands' order). */
async function burst(c: WsQmpClient, command: string, n: number, tag: string): Promise<void> {
  for (let i = 0; i < n; i++) c.send({ execute: command, id: `${tag}-${i}` });
  await c.waitFor((m) => m.id === `${tag}-${n - 1}`, 60_000);
}

async function auditTrail(t: TestConsole): Promise<AuditRecord[]> {
  const page = (await (await t.api('/api/audit?limit=1000')).json()) as AuditList;
  return page.records;
}

async function metric(t: TestConsole, name: string): Promise<number> {
  const text = await (await t.api('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe("a viewer's flood of refused commands", () => {
  it("leaves the operator's records in the trail, and counts every refusal", async () => {
    const t = await start(['--journal-max-events', '1000']);
    const operator = await client(t, t.token!);
    const viewer = await client(t, TEST_VIEWER_TOKEN);
    await burst(operator, 'query-status', 20, 'op');
    const flood = 5000;
    await burst(viewer, 'stop', flood, 'flood');
    expect(viewer.messages.filter((m) => 'error' in m)).toHaveLength(flood);
    // Retention as the journal runs it, with the limits the console was started with.
    const journal = t.running.journal;
    journal.settle();
    while (journal.store.prune(journal.retention, Date.now(), 2000, journal.auditRetention) === 2000);

    const trail = await auditTrail(t);
    expect(trail.filter((r) => r.role === 'operator' && r.command === 'query-status')).toHaveLength(20);
    // The flood is one record plus, once its window ends, one summary that counts the rest.
    t.running.refusals.flush();
    journal.flushAudit();
    const refusals = (await auditTrail(t)).filter((r) => r.role === 'viewer');
    expect(refusals.map((r) => [r.command, r.outcome, r.count])).toEqual([
      ['stop', 'denied', flood - 1],
      ['stop', 'denied', 1],
    ]);
    expect(await metric(t, 'qmp_commands_refused_total{vm="vm",reason="viewer"}')).toBe(flood);
    expect(await metric(t, 'qmp_commands_refused_total{vm="vm",reason="deny"}')).toBe(0);
    // Nothing is held for the flood once its window is written.
    expect(t.running.refusals.openWindows).toBe(0);
  });

  it('--audit-max-records prunes the trail on its own, leaving the events alone', async () => {
    const t = await start(['--audit-max-records', '5'], { pruneIntervalMs: 20 });
    const operator = await client(t, t.token!);
    await burst(operator, 'query-status', 30, 'op');
    t.running.journal.settle();
    await vi.waitFor(async () => expect(await auditTrail(t)).toHaveLength(5), 10_000);
    const status = (await (await t.api('/api/journal')).json()) as JournalStatus;
    expect(status.auditRetention).toEqual({ maxRecords: 5, maxAgeMs: null });
    expect(status.firstSeq).toBe(1);
  });
});

describe('a disk-full outage', () => {
  it('counts the audit records it could not keep in health (/api/journal, /api/vms) and metrics', async () => {
    const t = await start([], { maxBacklog: 50, retryInitialMs: 20, retryMaxMs: 50 });
    const journal = t.running.journal;
    const db = journal.store.db;
    const operator = await client(t, t.token!);
    let fills = 0;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    try {
      // Commands until a write fails: the file's free pages take the first few.
      for (; journal.health().ok && fills < 10_000; fills++) {
        await operator.execute('query-status', undefined, `fill-${fills}`);
        journal.settle();
      }
      const before = journal.health();
      expect(before).toMatchObject({ ok: false, auditLost: 0 });
      await burst(operator, 'query-status', 200, 'full');
      const lost = 200 - (50 - before.auditBacklog);
      const status = (await (await t.api('/api/journal')).json()) as JournalStatus;
      expect(status).toMatchObject({ ok: false, auditLost: lost, auditBacklog: 50 });
      const [vm] = (await (await t.api('/api/vms')).json()) as VmSummary[];
      expect(vm?.journal).toMatchObject({ ok: false, auditLost: lost });
      expect(await metric(t, 'qmp_journal_lost_audit_records_total')).toBe(lost);
      expect(await metric(t, 'qmp_journal_backlog_audit_records')).toBe(50);
    } finally {
      db.pragma('max_page_count = 1073741823');
    }
    await vi.waitFor(async () => {
      const status = (await (await t.api('/api/journal')).json()) as JournalStatus;
      expect(status).toMatchObject({ ok: true, auditBacklog: 0 });
    }, 10_000);
    const kept = (await auditTrail(t)).filter((r) => r.command === 'query-status');
    expect(kept.length).toBeGreaterThanOrEqual(50);
    // Every command is either in the trail or counted as lost: none vanished silently.
    expect(kept.length + journal.health().auditLost).toBe(fills + 200);
  });
});
