// The composer's server state: the VM's QMP schema (fetched once per connection) and the console session.
import { queryOptions } from '@tanstack/react-query';
import { qmpQueryOptions } from '../api/qmp-query.ts';
import { sessionQueryOptions } from '../api/session.ts';
import type { DeviceProperty } from './device-catalog.ts';
import { QmpSchema, type SchemaInfo } from './schema.ts';

const built = new WeakMap<SchemaInfo[], QmpSchema>();

/** Resolving the ~1,000 entities takes a few milliseconds: once per fetched schema, not per render. */
export function schemaFrom(entities: SchemaInfo[]): QmpSchema {
  let schema = built.get(entities);
  if (!schema) {
    schema = new QmpSchema(entities);
    built.set(entities, schema);
  }
  return schema;
}

export const composerQueries = {
  /**
   * `['vm', vm, 'query-qmp-schema']`: fresh for the whole connection (staleTime Infinity); the shell
   * invalidates every `['vm', vm]` query when the client becomes ready again, so a reconnect (perhaps
   * to another QEMU) fetches it anew.
   */
  schema: (vm: string) =>
    queryOptions({
      ...qmpQueryOptions<SchemaInfo[]>(vm, 'query-qmp-schema'),
      staleTime: Number.POSITIVE_INFINITY,
      structuralSharing: false,
      select: schemaFrom,
    }),

  /** Device drivers (`qom-list-types implements=device abstract=false`), sorted; fixed per QEMU binary. */
  deviceTypes: (vm: string) =>
    queryOptions({
      ...qmpQueryOptions<{ name: string }[]>(vm, 'qom-list-types', { implements: 'device', abstract: false }),
      staleTime: Number.POSITIVE_INFINITY,
      select: (types: { name: string }[]) => types.map((t) => t.name).sort(),
    }),

  /** A driver's properties (`device-list-properties typename=DRIVER`), sorted by name. */
  deviceProperties: (vm: string, typename: string) =>
    queryOptions({
      ...qmpQueryOptions<DeviceProperty[]>(vm, 'device-list-properties', { typename }),
      staleTime: Number.POSITIVE_INFINITY,
      select: (props: DeviceProperty[]) => [...props].sort((a, b) => a.name.localeCompare(b.name)),
    }),

  /** `['session']`: the role and command policy; null when the console does not serve it. */
  session: () => sessionQueryOptions,
};
