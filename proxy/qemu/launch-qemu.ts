// Launches a real, paused (-S) QEMU with its QMP monitor on a unix socket: the console's demo VM and the
// VM behind the integration and e2e tests. Disks are sparse raw images; a failing disk goes through
// QEMU's blkdebug driver, which fails every read with the chosen errno.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm, truncate, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export interface QemuDisk {
  /** The drive id: QMP's `device` in BLOCK_IO_ERROR and query-block. Letters, digits, `-`, `.`, `_`. */
  id: string;
  /** 'eio' → blkdebug errno 5, 'enospc' → errno 28 (BLOCK_IO_ERROR then says `nospace: true`). */
  fail?: 'eio' | 'enospc';
  /** Size of the sparse raw image, default 16. */
  sizeMiB?: number;
}

export interface LaunchQemuOptions {
  /** An existing directory for the sockets, disk images, blkdebug configs and `qemu.log`. */
  dir: string;
  /** Passed as `-name`. */
  name?: string;
  /**
   * At most 4, placed in order on the `pc` machine's two IDE buses: ide.0 unit 0 (the disk SeaBIOS reads
   * first, so put a failing disk here to get an error right after `cont`), ide.1 unit 0, ide.0 unit 1,
   * ide.1 unit 1.
   */
  disks?: QemuDisk[];
  /** A second, independent QMP monitor on `${dir}/monitor2.qmp` (ground truth in tests). */
  secondMonitor?: boolean;
  /**
   * `-incoming ADDRESS` (e.g. `unix:/tmp/x/mig.sock`): this QEMU waits in `inmigrate` for a migration.
   * Give it the same disks and `ramFillMiB` as the source.
   */
  incoming?: string;
  /**
   * Loads this many MiB of random bytes into guest RAM at 16 MiB (QEMU's generic `loader` device): a
   * paused guest's RAM is otherwise all zero pages, which a migration sends almost for free.
   */
  ramFillMiB?: number;
  /** Appended after everything else. */
  extraArgs?: string[];
  /** Default `qemu-system-x86_64`, looked up on PATH. */
  binary?: string;
  /** How long to wait for the QMP socket to greet, default 15 s. */
  readyTimeoutMs?: number;
  /** Called with the pid right after the spawn, before the socket is ready (to track it for cleanup). */
  onSpawn?: (pid: number) => void;
}

export interface QemuExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface QemuInstance {
  pid: number;
  /** `${dir}/qmp.sock`; the console's address for it is `unix:${qmpPath}`. */
  qmpPath: string;
  secondMonitorPath: string | null;
  dir: string;
  /** Resolves when the QEMU process has exited (never rejects). */
  exited: Promise<QemuExit>;
  /** SIGTERM, then SIGKILL after about 2 s; resolves when the process is gone. Safe to call twice. */
  stop(): Promise<void>;
  /** QEMU's stderr (and stdout) so far, for error messages; also written to `${dir}/qemu.log`. */
  readonly log: () => string;
}

export class QemuLaunchError extends Error {
  override name = 'QemuLaunchError';
  constructor(
    message: string,
    /** QEMU's stderr up to the failure. */
    readonly log: string,
  ) {
    super(message);
  }
}

export const DEFAULT_QEMU_BINARY = 'qemu-system-x86_64';
export const MAX_DISKS = 4;
const DEFAULT_DISK_MIB = 16;
const STOP_GRACE_MS = 2000;
/** sockaddr_un.sun_path is 108 bytes on Linux, including the terminating NUL. */
const MAX_UNIX_PATH_BYTES = 107;
const LOG_LIMIT_CHARS = 64 * 1024;
const ERRNO = { eio: 5, enospc: 28 } as const;
const RAM_MIB = 128;
/** Above the BIOS and real-mode areas, well inside RAM. */
const RAM_FILL_AT_MIB = 16;

/** Writes `${dir}/ram-fill.bin` and returns the loader device that copies it into guest RAM. */
async function prepareRamFill(dir: string, mib: number | undefined): Promise<string[]> {
  if (mib === undefined) return [];
  const file = path.join(dir, 'ram-fill.bin');
  await writeFile(file, randomBytes(mib * 1024 * 1024));
  return ['-device', `loader,file=${optValue(file)},addr=${RAM_FILL_AT_MIB * 1024 * 1024}`];
}

/** QEMU option values escape a comma by doubling it. */
function optValue(value: string): string {
  return value.replaceAll(',', ',,');
}

function validate(opts: LaunchQemuOptions, socketPaths: string[]): void {
  const disks = opts.disks ?? [];
  const problems: string[] = [];
  if (disks.length > MAX_DISKS) {
    problems.push(`${disks.length} disks, but the pc machine's IDE buses take at most ${MAX_DISKS}`);
  }
  const ids = new Set<string>();
  for (const disk of disks) {
    if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(disk.id))
      problems.push(`disk id ${JSON.stringify(disk.id)} is not a QEMU id`);
    if (ids.has(disk.id)) problems.push(`disk id ${disk.id} is used twice`);
    ids.add(disk.id);
    const size = disk.sizeMiB ?? DEFAULT_DISK_MIB;
    if (!Number.isInteger(size) || size < 1)
      problems.push(`disk ${disk.id}: sizeMiB must be a positive integer`);
  }
  const fill = opts.ramFillMiB;
  if (fill !== undefined && (!Number.isInteger(fill) || fill < 1 || fill > RAM_MIB - RAM_FILL_AT_MIB))
    problems.push(`ramFillMiB must be an integer from 1 to ${RAM_MIB - RAM_FILL_AT_MIB}`);
  for (const p of socketPaths) {
    if (Buffer.byteLength(p) > MAX_UNIX_PATH_BYTES) {
      problems.push(`socket path ${p} is longer than ${MAX_UNIX_PATH_BYTES} bytes (a unix socket limit)`);
    }
  }
  if (problems.length > 0) throw new QemuLaunchError(`cannot launch QEMU: ${problems.join('; ')}`, '');
}

/** Writes each disk's image (and blkdebug config) into `dir`; returns the QEMU arguments for them. */
async function prepareDisks(dir: string, disks: QemuDisk[]): Promise<string[]> {
  const args: string[] = [];
  for (const [index, disk] of disks.entries()) {
    const image = path.join(dir, `${disk.id}.img`);
    // A fresh inode every time: a leftover QEMU still holding a lock on the old image cannot block us.
    await rm(image, { force: true });
    await writeFile(image, '');
    await truncate(image, (disk.sizeMiB ?? DEFAULT_DISK_MIB) * 1024 * 1024);
    let drive: string;
    if (disk.fail) {
      const config = path.join(dir, `${disk.id}.blkdebug.conf`);
      // No `once = "on"`: QEMU's own geometry probe at start-up would spend the only failure.
      await writeFile(config, `[inject-error]\nevent = "read_aio"\nerrno = "${ERRNO[disk.fail]}"\n`);
      drive =
        `if=none,id=${disk.id},driver=raw,file.driver=blkdebug,file.config=${optValue(config)},` +
        `file.image.filename=${optValue(image)},rerror=stop,werror=stop`;
    } else {
      drive = `if=none,id=${disk.id},driver=raw,file=${optValue(image)},rerror=stop,werror=stop`;
    }
    const bus = `ide.${index % 2}`;
    const unit = Math.floor(index / 2);
    args.push('-drive', drive, '-device', `ide-hd,drive=${disk.id},bus=${bus},unit=${unit}`);
  }
  return args;
}

function notFoundMessage(binary: string): string {
  return (
    `${binary} not found: install it with \`apt-get install qemu-system-x86\` ` +
    '(or run `node scripts/system-packages.mjs qemu` as root)'
  );
}

/**
 * True once the monitor on `socketPath` has greeted and answered a command; the connection is closed at
 * once. The greeting alone is not enough: QEMU's monitor I/O thread sends it while the main thread is still
 * initialising, before QEMU installs its SIGTERM handler (a SIGTERM then kills it outright). A reply comes
 * from the main loop, so QEMU is fully up.
 */
function probeMonitor(socketPath: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ path: socketPath });
    let data = '';
    let greeted = false;
    const done = (ok: boolean): void => {
      // A monitor serves one client at a time: leave right away so the next client gets it.
      socket.destroy();
      resolve(ok);
    };
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('data', (chunk: string) => {
      data += chunk;
      let nl = data.indexOf('\n');
      while (nl >= 0) {
        const line = data.slice(0, nl);
        data = data.slice(nl + 1);
        if (!greeted) {
          if (!line.startsWith('{"QMP"')) return done(false);
          greeted = true;
          socket.write('{"execute":"qmp_capabilities"}\n');
        } else if (line.includes('"return"') || line.includes('"error"')) {
          return done(true);
        }
        nl = data.indexOf('\n');
      }
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

function describeExit({ code, signal }: QemuExit): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

function withLog(message: string, log: string): string {
  const trimmed = log.trim();
  return trimmed ? `${message}; QEMU said:\n${trimmed}` : `${message} (QEMU printed nothing)`;
}

export async function launchQemu(opts: LaunchQemuOptions): Promise<QemuInstance> {
  const dir = path.resolve(opts.dir);
  const binary = opts.binary ?? DEFAULT_QEMU_BINARY;
  const qmpPath = path.join(dir, 'qmp.sock');
  const secondMonitorPath = opts.secondMonitor ? path.join(dir, 'monitor2.qmp') : null;
  const sockets = secondMonitorPath ? [qmpPath, secondMonitorPath] : [qmpPath];
  validate(opts, sockets);

  // A stale socket file would otherwise be mistaken for (or refuse) the new QEMU's.
  for (const s of sockets) await rm(s, { force: true });
  const args = [
    '-S',
    '-nodefaults',
    '-machine',
    'pc,accel=tcg',
    '-m',
    String(RAM_MIB),
    '-display',
    'none',
    '-no-user-config',
    ...(opts.name ? ['-name', optValue(opts.name)] : []),
    ...sockets.flatMap((s) => ['-qmp', `unix:${optValue(s)},server=on,wait=off`]),
    ...(await prepareDisks(dir, opts.disks ?? [])),
    ...(await prepareRamFill(dir, opts.ramFillMiB)),
    ...(opts.incoming ? ['-incoming', opts.incoming] : []),
    ...(opts.extraArgs ?? []),
  ];

  let log = '';
  const logFile = createWriteStream(path.join(dir, 'qemu.log'));
  logFile.on('error', () => {}); // the in-memory copy is what error messages use
  logFile.write(`$ ${binary} ${args.join(' ')}\n`);
  const child: ChildProcess = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      log = (log + chunk).slice(-LOG_LIMIT_CHARS);
      logFile.write(chunk);
    });
  }

  if (child.pid !== undefined) opts.onSpawn?.(child.pid);

  const spawnState = { error: null as NodeJS.ErrnoException | null };
  let hasExited = false;
  const exited = new Promise<QemuExit>((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Only a failed spawn ends here (kill errors are thrown synchronously).
      spawnState.error = err;
      hasExited = true;
      resolve({ code: null, signal: null });
    });
    child.on('exit', () => {
      hasExited = true;
    });
    // 'close' comes after 'exit' once stdout and stderr are drained, so the log is complete.
    child.on('close', (code, signal) => resolve({ code, signal }));
  }).then((result) => {
    logFile.end();
    return result;
  });

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!hasExited) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };

  const timeoutMs = opts.readyTimeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  const failure = await (async (): Promise<string | null> => {
    const pending = [...sockets];
    while (pending.length > 0) {
      if (hasExited) {
        const exit = await exited;
        if (spawnState.error?.code === 'ENOENT') return notFoundMessage(binary);
        if (spawnState.error) return `could not start ${binary}: ${spawnState.error.message}`;
        return withLog(`QEMU ${describeExit(exit)} before its QMP socket was ready`, log);
      }
      if (Date.now() > deadline) {
        return withLog(`QEMU's QMP socket ${pending[0]} did not answer within ${timeoutMs} ms`, log);
      }
      if (await probeMonitor(pending[0]!, Math.max(deadline - Date.now(), 1))) pending.shift();
      else await Promise.race([exited, new Promise((r) => setTimeout(r, 25))]);
    }
    return null;
  })();

  if (failure !== null) {
    await stop();
    throw new QemuLaunchError(failure, log);
  }

  return {
    pid: child.pid!,
    qmpPath,
    secondMonitorPath,
    dir,
    exited,
    stop,
    log: () => log,
  };
}
