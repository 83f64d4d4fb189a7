// One structured line per fact on stderr; tests and benchmarks turn it down with QMP_CONSOLE_LOG=silent.
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

function threshold(): number {
  const wanted = (process.env.QMP_CONSOLE_LOG ?? 'info') as Level | 'silent';
  return order[wanted] ?? order.info;
}

function write(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (order[level] < threshold()) return;
  const line = { time: new Date().toISOString(), level, msg, ...fields };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

export const log = {
  /** Whether lines of `level` are written: a caller can skip building fields nobody reads. */
  enabled: (level: Level) => order[level] >= threshold(),
  debug: (msg: string, fields?: Record<string, unknown>) => write('debug', msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write('error', msg, fields),
};
export type Logger = typeof log;
