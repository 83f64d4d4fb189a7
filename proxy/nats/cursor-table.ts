// Positions the console keeps beside its journal, in the same SQLite file: the host's last event NATS
// acknowledged, the fleet's last event ingested from each host. Restarts resume from them.
import type Database from 'better-sqlite3';

export class CursorTable {
  private readonly getStmt: Database.Statement<[string], { seq: number }>;
  private readonly setStmt: Database.Statement<[string, number]>;
  private readonly allStmt: Database.Statement<[string], { name: string; seq: number }>;

  constructor(db: Database.Database) {
    db.exec(
      'CREATE TABLE IF NOT EXISTS nats_cursor (name TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID',
    );
    this.getStmt = db.prepare('SELECT seq FROM nats_cursor WHERE name = ?');
    this.setStmt = db.prepare(
      'INSERT INTO nats_cursor (name, seq) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq',
    );
    this.allStmt = db.prepare("SELECT name, seq FROM nats_cursor WHERE name LIKE ? || '%'");
  }

  get(name: string): number {
    return this.getStmt.get(name)?.seq ?? 0;
  }

  set(name: string, seq: number): void {
    this.setStmt.run(name, seq);
  }

  /** Every cursor whose name starts with `prefix`, by the rest of its name. */
  withPrefix(prefix: string): Map<string, number> {
    return new Map(this.allStmt.all(prefix).map((r) => [r.name.slice(prefix.length), r.seq]));
  }
}
