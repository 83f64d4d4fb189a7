// The console's data directory: claimed by one console at a time, before anything in it is touched
// (the demo VM's pidfile and disk images, the journal), and private to the console's user.
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

const LOCK_FILE = 'console.lock';
const OWNER_FILE = 'console.owner';

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

const WHY: Record<string, string> = {
  EROFS: 'is on a read-only file system',
  EACCES: 'is not writable by this user',
  EPERM: 'is not writable by this user',
  ENOSPC: 'is on a full file system',
  ENOTDIR: 'is not a directory',
  EEXIST: 'is not a directory',
};

/** The data directory cannot be used, said in one line with the system's reason. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
  constructor(dir: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException).code ?? '';
    super(`--data-dir ${dir} ${WHY[code] ?? 'cannot be used'} (${code || String(cause)})`);
  }
}

export interface DataDirLock {
  readonly dir: string;
  release(): void;
}

interface Owner {
  pid: number;
  since: string;
  command: string;
}

/**
 * Makes the directory (0700; an existing one is tightened to 0700 and its files to 0600) and takes its
 * lock, or throws DataDirInUseError naming the console that holds it. The lock is an exclusive SQLite
 * lock (an fcntl lock): the kernel drops it when its process dies, however it dies, so a console
 * killed with -9 never leaves a stale lock behind.
 */
export function claimDataDir(dir: string): DataDirLock {
  const lockPath = path.join(dir, LOCK_FILE);
  try {
    makeDir(dir);
    createPrivate(lockPath);
  } catch (err) {
    throw new DataDirError(dir, err);
  }
  const db = new Database(lockPath, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock and, in this mode, keeps it until the connection closes.
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (at TEXT); COMMIT');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirInUseError(inUseMessage(dir));
    throw err;
  }
  const owner: Owner = {
    pid: process.pid,
    since: new Date().toISOString(),
    command: process.argv
      .map((a) => path.basename(a))
      .join(' ')
      .slice(0, 200),
  };
  writeFileSync(path.join(dir, OWNER_FILE), `${JSON.stringify(owner)}\n`, { mode: FILE_MODE });
  tighten(dir);
  let held = true;
  return {
    dir,
    release() {
      if (!held) return;
      held = false;
      db.close();
    },
  };
}

/**
 * mkdir -p, reporting the real reason: Node's recursive mkdir says ENOENT where the parent is on a
 * read-only file system, so each missing level is made on its own.
 */
function makeDir(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) mkdirSync(d, { mode: DIR_MODE });
}

/** One line: which process holds the directory, as far as the holder wrote it down. */
function inUseMessage(dir: string): string {
  let owner: Owner | null = null;
  try {
    owner = JSON.parse(readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as Owner;
  } catch {
    // Holder still starting, or the file is gone: say what we know.
  }
  const who = owner ? `pid ${owner.pid} (${owner.command}), running since ${owner.since}` : 'another process';
  return `--data-dir ${dir} is in use by another QMP Console: ${who}; stop it or choose another --data-dir`;
}

/** A file that is 0600 from its first byte (SQLite's -wal and -shm files copy the main file's mode). */
export function createPrivate(file: string): void {
  closeSync(openSync(file, 'a', FILE_MODE));
  chmodSync(file, FILE_MODE);
}

/** The directory 0700, its regular files 0600 (a data dir made by an older console was 0755/0644). */
function tighten(dir: string): void {
  chmodSync(dir, DIR_MODE);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && (statSync(full).mode & 0o077) !== 0) chmodSync(full, FILE_MODE);
    else if (entry.isDirectory()) chmodSync(full, DIR_MODE);
  }
}
