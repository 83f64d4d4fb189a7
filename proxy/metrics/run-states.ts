// The run states a VM can be in, for the `qmp_vm_status` state set: QEMU's RunState enum as the VM's own
// `query-qmp-schema` describes it, or QEMU 7.2's list when the schema cannot be read.

/** QEMU 7.2's RunState values (qapi/run-state.json). */
export const QEMU_7_2_RUN_STATES: readonly string[] = [
  'debug',
  'inmigrate',
  'internal-error',
  'io-error',
  'paused',
  'postmigrate',
  'prelaunch',
  'finish-migrate',
  'restore-vm',
  'running',
  'save-vm',
  'shutdown',
  'suspended',
  'watchdog',
  'guest-panicked',
  'colo',
];

/** One SchemaInfo entry of `query-qmp-schema`, as far as this module reads it. */
export interface SchemaEntry {
  name: string;
  'meta-type': string;
  'ret-type'?: string;
  members?: { name: string; type?: string }[];
  values?: string[];
}

/** What the metrics need from a VM's schema. */
export interface VmSchemaFacts {
  runStates: readonly string[];
  /** Every command the VM knows: bounds the `command` label. */
  commands: ReadonlySet<string>;
}

/**
 * Type names in an introspected schema are opaque and change between builds; only command names are
 * stable. So RunState is found from `query-status`: its return type's `status` member.
 */
export function runStatesFromSchema(schema: readonly SchemaEntry[]): string[] | null {
  const byName = new Map(schema.map((e) => [e.name, e]));
  const command = byName.get('query-status');
  const ret = command?.['meta-type'] === 'command' ? byName.get(command['ret-type'] ?? '') : undefined;
  const statusType = ret?.members?.find((m) => m.name === 'status')?.type;
  const runState = statusType === undefined ? undefined : byName.get(statusType);
  if (runState?.['meta-type'] !== 'enum') return null;
  const values = runState.values ?? runState.members?.map((m) => m.name) ?? [];
  return values.length > 0 ? values : null;
}

export function schemaFacts(schema: readonly SchemaEntry[] | null): VmSchemaFacts {
  const entries = schema ?? [];
  return {
    runStates: runStatesFromSchema(entries) ?? QEMU_7_2_RUN_STATES,
    commands: new Set(entries.filter((e) => e['meta-type'] === 'command').map((e) => e.name)),
  };
}
