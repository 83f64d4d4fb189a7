// What device_add completion and checking need from QEMU, fetched only while a device_add is typed.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useQmpClient } from '../api/qmp-clients.ts';
import type { DeviceCatalog } from './device-catalog.ts';
import { composerQueries } from './queries.ts';

export /** The drivers and, once the line names one, its properties: fetched only while a device_add is typed. */
function useDeviceCatalog(vm: string, wanted: boolean, line: string): DeviceCatalog | null {
  const ready = useQmpClient(vm).state === 'ready';
  const active = wanted && ready;
  const driver = active ? (/\bdriver=("?)([\w.,-]+)\1(\s|$)/.exec(line)?.[2] ?? null) : null;
  const types = useQuery({ ...composerQueries.deviceTypes(vm), enabled: active }).data ?? null;
  const known = driver !== null && !!types?.includes(driver);
  const props = useQuery({ ...composerQueries.deviceProperties(vm, driver ?? ''), enabled: known });
  const propsData = known ? (props.data ?? null) : null;
  return useMemo(() => {
    if (!types) return null;
    return { types, properties: (d: string) => (d === driver ? propsData : null) };
  }, [types, driver, propsData]);
}
