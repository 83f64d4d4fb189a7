// A VM's QMP monitor as the console reaches it, in QEMU's own address syntax for character devices.

export type TargetAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export interface Target {
  name: string;
  address: TargetAddress;
}

/** `unix:PATH` or `tcp:HOST:PORT` (an IPv6 host in brackets), as QEMU's `-qmp` takes it. */
export function formatAddress(address: TargetAddress): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `tcp:${host}:${address.port}`;
}
