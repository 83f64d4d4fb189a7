// The VM-info feature's queries: one factory, keys from general to specific.
import { qmpQueryKey, qmpQueryOptions, vmQueryRoot } from '../api/qmp-query.ts';
import { vmsQueryOptions } from '../api/vms.ts';
import type { StatusInfo } from './run-state.ts';

export const vmInfoKeys = {
  list: () => vmsQueryOptions.queryKey,
  vm: (vm: string) => vmQueryRoot(vm),
  status: (vm: string) => qmpQueryKey(vm, 'query-status'),
};

export const vmInfoQueries = {
  /** `GET /api/vms`, key `['vms']`. */
  list: () => vmsQueryOptions,
  /** `query-status`, key `['vm', vm, 'query-status']`. */
  status: (vm: string) => qmpQueryOptions<StatusInfo>(vm, 'query-status'),
};
