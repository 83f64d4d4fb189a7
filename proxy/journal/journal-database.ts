// Opening the journal's SQLite file: the checks that stop a start, the pragmas, the schema.
import { closeSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';

/** The database cannot be used: the console must not start without its memory. */
export class JournalOpenError extends Error {
  override readonly name = 'JournalOpenError';
}

/** 'QMPC': marks the file as a QMP Console journal. */
const APPLICATION_ID = 0x514d5043;
const SCHEMA_VERSION = 1;

const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  vm TEXT NOT NULL,
  event TEXT NOT NULL,
  data TEXT,
  ts_seconds INTEGER NOT NULL,
  ts_micro INTEGER NOT NULL,
  received INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('qemu', 'console'))
);
CREATE INDEX IF NOT EXISTS events_vm_seq ON events (vm, seq);
CREATE INDEX IF NOT EXISTS events_event_seq ON events (event, seq);
-- Received times never go back (the journal clamps them), so a time bound is a seq bound, found by
-- a binary search on the primary key: no index on received to update on every append.
DROP INDEX IF EXISTS events_received;
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY,
  vm TEXT NOT NULL,
  event TEXT NOT NULL,
  device TEXT,
  node TEXT,
  operation TEXT,
  action TEXT,
  reason TEXT,
  nospace INTEGER,
  count INTEGER NOT NULL,
  first INTEGER NOT NULL,
  last INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged')),
  acknowledged_by TEXT,
  acknowledged_at INTEGER
);
CREATE INDEX IF NOT EXISTS alerts_state_last ON alerts (state, last);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  vm TEXT NOT NULL,
  command TEXT NOT NULL,
  argument_names TEXT NOT NULL,
  outcome TEXT NOT NULL,
  error_class TEXT,
  role TEXT NOT NULL,
  remote TEXT NOT NULL,
  count INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
`;

function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ? `${e.message} (${e.code})` : String(e.message ?? err);
}

export interface JournalStoreOptions {
  /** Run `PRAGMA quick_check` at open (reads the whole file; on by default). */
  check?: boolean;
}

/**
 * Opens (creating if needed) the journal's database. Throws JournalOpenError with a message naming the
 * file and what is wrong: not writable, not a database, corrupt, another console using it, a newer schema.
 */
export function openJournalDatabase(file: string, options: JournalStoreOptions = {}): Database.Database {
  let db: Database.Database | null = null;
  const fail = (what: string, err?: unknown): never => {
    try {
      db?.close();
    } catch {}
    const hint = /corrupt|not a database|malformed/i.test(`${what} ${err ? describeError(err) : ''}`)
      ? ' (move the file aside to start a new journal)'
      : '';
    throw new JournalOpenError(
      `event journal ${file}: ${what}${err ? `: ${describeError(err)}` : ''}${hint}`,
    );
  };
  try {
    if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) fail('is a directory');
    // The journal holds the audit trail: its user's alone, from the first byte (SQLite would use the umask).
    closeSync(openSync(file, 'a', 0o600));
    db = new Database(file, { timeout: 1000 });
  } catch (err) {
    if (err instanceof JournalOpenError) throw err;
    fail('cannot open', err);
  }
  const d = db!;
  try {
    // One console per journal: the lock is held for the life of the connection.
    d.pragma('locking_mode = EXCLUSIVE');
    const mode = d.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') fail(`cannot use WAL mode (got "${String(mode)}")`);
    d.pragma('synchronous = NORMAL');
    // No checkpoint inside a commit: SQLite's own, every 1000 pages, made one save in ~17 of a storm take
    // 50-60 ms instead of 6 (copying the pages back and two fsyncs). The journal checkpoints when the
    // writes pause, or past a bound (DatabaseFill).
    d.pragma('wal_autocheckpoint = 0');
    // A storm's WAL can grow to tens of MiB before its checkpoint: cut back to 4 MiB once it is copied.
    d.pragma('journal_size_limit = 4194304');
    d.pragma('temp_store = MEMORY');
    // 8 MiB of pages: appends touch the tails of the table and its two indexes, pages read back are
    // recent ones. 32 MiB made no difference to appends or pages at a million events, and filled up
    // with the pages of a storm's writes (the console's RSS +10 MiB after ~100,000 events).
    d.pragma('cache_size = -8192');
    const appId = d.pragma('application_id', { simple: true }) as number;
    const version = d.pragma('user_version', { simple: true }) as number;
    const tables = d.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {
      n: number;
    };
    if (appId !== 0 && appId !== APPLICATION_ID) fail('is an SQLite database of some other program');
    if (appId === 0 && tables.n > 0) fail('is an SQLite database of some other program');
    if (version > SCHEMA_VERSION)
      fail(`was written by a newer QMP Console (schema ${version}; this one knows ${SCHEMA_VERSION})`);
    if (options.check ?? true) {
      const problems = d.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[];
      const bad = problems.map((p) => p.quick_check).filter((p) => p !== 'ok');
      if (bad.length > 0) fail(`is corrupt: ${bad.join('; ')}`);
    }
    d.exec(schema);
    // Journals from before summary records: their rows each stand for one command.
    const auditColumns = d.pragma('table_info(audit)') as { name: string }[];
    if (!auditColumns.some((c) => c.name === 'count'))
      d.exec('ALTER TABLE audit ADD COLUMN count INTEGER NOT NULL DEFAULT 1');
    d.pragma(`application_id = ${APPLICATION_ID}`);
    d.pragma(`user_version = ${SCHEMA_VERSION}`);
    // A real write now, so an unwritable file fails at start and not at the first event.
    d.prepare(
      "INSERT INTO meta (key, value) VALUES ('opened_at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(Date.now());
    d.pragma('optimize = 0x10002');
    return d;
  } catch (err) {
    if (err instanceof JournalOpenError) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (code === 'SQLITE_BUSY')
      fail('is in use by another QMP Console (one console per data directory)', err);
    if (code === 'SQLITE_NOTADB') fail('is not an SQLite database', err);
    if (code.startsWith('SQLITE_CORRUPT')) fail('is corrupt', err);
    if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM')
      fail('is not writable', err);
    return fail('cannot be used', err);
  }
}
