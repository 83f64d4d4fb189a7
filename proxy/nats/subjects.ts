// The fleet's names in NATS: subjects, KV buckets and keys, the event stream. Host and VM names are
// one token each: a `.` in a name (an FQDN host name, `db.1`) is written `=2E` so it cannot split a
// subject or a key into more tokens than the permissions expect.
import type { StreamConfig } from '@nats-io/jetstream';
import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

export const EVENT_STREAM = 'QMP_EVENTS';
export const VMS_BUCKET = 'qmp_vms';
export const HOSTS_BUCKET = 'qmp_hosts';
export const ALERTS_BUCKET = 'qmp_alerts';
/** Header carrying the host's previous published seq: the fleet restores each host's order from it. */
export const PREV_SEQ_HEADER = 'Qmp-Prev-Seq';

/** A name as one subject token / key token. Names never hold `=`, so the escape is unambiguous. */
export function token(name: string): string {
  return name === '' ? '-' : name.replaceAll('.', '=2E');
}

export function fromToken(t: string): string {
  return t === '-' ? '' : t.replaceAll('=2E', '.');
}

export const eventSubject = (host: string, vm: string, event: string) =>
  `qmp.events.${token(host)}.${token(vm)}.${token(event)}`;
export const commandSubject = (host: string, vm: string) => `qmp.cmd.${token(host)}.${token(vm)}`;
/** Requests to a host console itself (acknowledge an alert). */
export const controlSubject = (host: string, what: string) => `qmp.ctl.${token(host)}.${what}`;
export const vmKey = (host: string, vm: string) => `${token(host)}.${token(vm)}`;
export const hostKey = (host: string) => token(host);
export const inboxPrefix = (host: string) => `_INBOX_${token(host)}`;
export const msgId = (host: string, seq: number) => `${host}:${seq}`;

/** `HOST.VM` → its names; null for anything else. */
export function parseVmKey(key: string): { host: string; vm: string } | null {
  const parts = key.split('.');
  if (parts.length !== 2) return null;
  return { host: fromToken(parts[0]!), vm: fromToken(parts[1]!) };
}

/** A VM's fleet-wide name. VM names never hold `@`, so the last `@` splits it. */
export const fleetName = (vm: string, host: string) => `${vm}@${host}`;
export function splitFleetName(name: string): { vm: string; host: string } | null {
  const at = name.lastIndexOf('@');
  if (at <= 0 || at === name.length - 1) return null;
  return { vm: name.slice(0, at), host: name.slice(at + 1) };
}

/**
 * The event stream, created by the first console that finds it absent. Limits keep it a buffer, not an
 * archive: each console keeps its own journal; the stream carries a week (or 10 GiB) for consoles that
 * were away. The dedup window covers the longest NATS outage a host is expected to ride out with
 * unacknowledged publishes; the fleet drops anything older it has already seen by its per-host seq.
 */
export function eventStreamConfig(): Partial<StreamConfig> & { name: string; subjects: string[] } {
  return {
    name: EVENT_STREAM,
    subjects: ['qmp.events.>'],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(7 * 24 * 3600 * 1000),
    max_bytes: 10 * 1024 ** 3,
    max_msg_size: 1024 * 1024,
    duplicate_window: nanos(2 * 3600 * 1000),
    num_replicas: 1,
  };
}
