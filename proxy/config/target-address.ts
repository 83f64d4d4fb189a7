// `--target` and `--listen-qmp` in QEMU's own address syntax: `unix:PATH` or `tcp:HOST:PORT` (IPv6 in brackets).
import type { Target, TargetAddress } from '../qmp/target.ts';

/** VM names appear in URLs and the journal: keep them to a safe, readable alphabet. */
export const VM_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function parseAddress(text: string): TargetAddress {
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length).split(',')[0] ?? '';
    if (path === '') throw new Error(`address "${text}" has an empty socket path`);
    return { kind: 'unix', path };
  }
  if (text.startsWith('tcp:')) {
    const rest = text.slice('tcp:'.length).split(',')[0] ?? '';
    const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(rest);
    const port = m ? Number(m[3]) : Number.NaN;
    if (!m || port < 1 || port > 65535) throw new Error(`address "${text}" is not tcp:HOST:PORT`);
    return { kind: 'tcp', host: (m[1] ?? m[2])!, port };
  }
  throw new Error(`address "${text}" must start with unix: or tcp:`);
}

/** `NAME=unix:PATH` or `NAME=tcp:HOST:PORT`, as given to `--target` and `--listen-qmp`. */
export function parseTarget(spec: string): Target {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new Error(`"${spec}" is not NAME=unix:PATH or NAME=tcp:HOST:PORT`);
  const name = spec.slice(0, eq);
  if (!VM_NAME_PATTERN.test(name)) {
    throw new Error(
      `VM name "${name}" must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return { name, address: parseAddress(spec.slice(eq + 1)) };
}
