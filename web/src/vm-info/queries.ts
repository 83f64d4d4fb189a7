// The VM-info feature's queries: one factory, keys from general to specific.
//
//   ['vms']                                   GET /api/vms: connection and run state (the console stream
//                                             keeps it current; polled every 5 s only without it)
//   ['journal', 'alerts', 'open']             GET /api/alerts?state=open (api/alerts.ts, kept live by the
//                                             console stream)
//   ['session']                               GET /api/session (once; null if absent)
//   ['vm', vm, command]                       a QMP query without arguments (query-status, query-block, ...)
//   ['vm', vm, command, args]                 with arguments (qom-list {path}, qom-get {path, property})
//
// QMP queries are refreshed by the events that make them stale (qemu/events.ts) and when the
// VM's connection becomes ready again; only block statistics poll (every 5 s, and the user can pause it).
import { queryOptions } from '@tanstack/react-query';
import type { JournalAlert } from '../../../protocol/journal.ts';
import { alertKeys, OPEN_ALERTS_LIMIT, openAlertsQueryOptions } from '../api/alerts.ts';
import { qmpQueryKey, qmpQueryOptions, vmQueryRoot } from '../api/qmp-query.ts';
import { sessionQueryOptions } from '../api/session.ts';
import { vmsQueryOptions } from '../api/vms.ts';
import type {
  BalloonInfo,
  BlockInfo,
  BlockStats,
  ChardevInfo,
  CommandInfo,
  CpuInfoFast,
  HpetInfo,
  KvmInfo,
  MachineInfo,
  MemoryInfo,
  NameInfo,
  ObjectPropertyInfo,
  PciBusInfo,
  SpiceInfo,
  TargetInfo,
  UuidInfo,
  VncInfo,
} from './qapi.ts';

/** No query polls faster than this. */
export const POLL_MS = 5000;

export const vmInfoKeys = {
  list: () => vmsQueryOptions.queryKey,
  openAlerts: () => alertKeys.open(),
  session: () => sessionQueryOptions.queryKey,
  vm: (vm: string) => vmQueryRoot(vm),
  command: (vm: string, command: string) => qmpQueryKey(vm, command),
};

/** Open alerts per VM. The journal answers `{alerts: [...]}`; a bare array is accepted as well. */
export interface OpenAlertCounts {
  byVm: ReadonlyMap<string, number>;
  /** Each VM's open alert ids, newest change first: a count of one links to its alert. */
  idsByVm: ReadonlyMap<string, readonly number[]>;
  /** True when the journal returned as many as asked: there may be more. */
  truncated: boolean;
}

export function countOpenAlerts(body: unknown): OpenAlertCounts {
  const list: Partial<JournalAlert>[] = Array.isArray(body)
    ? body
    : Array.isArray((body as { alerts?: unknown } | null)?.alerts)
      ? (body as { alerts: Partial<JournalAlert>[] }).alerts
      : [];
  const byVm = new Map<string, number>();
  const idsByVm = new Map<string, number[]>();
  for (const alert of list) {
    if (typeof alert?.vm !== 'string') continue;
    byVm.set(alert.vm, (byVm.get(alert.vm) ?? 0) + 1);
    if (typeof alert.id === 'number') idsByVm.set(alert.vm, [...(idsByVm.get(alert.vm) ?? []), alert.id]);
  }
  return { byVm, idsByVm, truncated: list.length >= OPEN_ALERTS_LIMIT };
}

export const vmInfoQueries = {
  /** `GET /api/vms`, key `['vms']`. */
  list: () => vmsQueryOptions,

  /**
   * Open alerts per VM, from the shared open-alerts query (the event-log feature keeps it live from the
   * journal's stream). A console without the alerts API answers 404: the list then leaves the count out.
   */
  openAlertCounts: () => queryOptions({ ...openAlertsQueryOptions, select: countOpenAlerts }),

  /** Who this browser is to the console: the shared `['session']` query. */
  session: () => sessionQueryOptions,

  commands: (vm: string) => qmpQueryOptions<CommandInfo[]>(vm, 'query-commands'),
  name: (vm: string) => qmpQueryOptions<NameInfo>(vm, 'query-name'),
  uuid: (vm: string) => qmpQueryOptions<UuidInfo>(vm, 'query-uuid'),
  kvm: (vm: string) => qmpQueryOptions<KvmInfo>(vm, 'query-kvm'),
  target: (vm: string) => qmpQueryOptions<TargetInfo>(vm, 'query-target'),
  machines: (vm: string) => qmpQueryOptions<MachineInfo[]>(vm, 'query-machines'),
  balloon: (vm: string) => qmpQueryOptions<BalloonInfo>(vm, 'query-balloon'),
  hpet: (vm: string) => qmpQueryOptions<HpetInfo>(vm, 'query-hpet'),
  block: (vm: string) => qmpQueryOptions<BlockInfo[]>(vm, 'query-block'),
  blockstats: (vm: string) => qmpQueryOptions<BlockStats[]>(vm, 'query-blockstats'),
  cpus: (vm: string) => qmpQueryOptions<CpuInfoFast[]>(vm, 'query-cpus-fast'),
  memory: (vm: string) => qmpQueryOptions<MemoryInfo>(vm, 'query-memory-size-summary'),
  chardev: (vm: string) => qmpQueryOptions<ChardevInfo[]>(vm, 'query-chardev'),
  pci: (vm: string) => qmpQueryOptions<PciBusInfo[]>(vm, 'query-pci'),
  vnc: (vm: string) => qmpQueryOptions<VncInfo>(vm, 'query-vnc'),
  spice: (vm: string) => qmpQueryOptions<SpiceInfo>(vm, 'query-spice'),
  qomList: (vm: string, path: string) => qmpQueryOptions<ObjectPropertyInfo[]>(vm, 'qom-list', { path }),
  qomGet: (vm: string, path: string, property: string) =>
    qmpQueryOptions<unknown>(vm, 'qom-get', { path, property }),
};
