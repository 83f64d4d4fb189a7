// `device_add` takes the device's own properties, which the schema cannot describe. QEMU lists them at
// run time: `qom-list-types implements=device abstract=false` gives the drivers, and
// `device-list-properties typename=DRIVER` a driver's properties. The composer completes and checks
// with them. Keyed on the command name `device_add`, which is stable.
import type { Json, JsonObject } from '../../../protocol/qmp.ts';
import type { QmpRequest } from './qmp-shell-syntax.ts';
import { didYouMeanSentence, formatPath, type SchemaIssue, suggestFix } from './schema.ts';

export const DEVICE_ADD = 'device_add';

/** One entry of `device-list-properties` (ObjectPropertyInfo). */
export interface DeviceProperty {
  name: string;
  type: string;
  description?: string;
  'default-value'?: Json;
}

export interface DeviceCatalog {
  /** Driver names, or null while unknown. */
  types: readonly string[] | null;
  /** A driver's properties, or null while unknown (or when the driver does not exist). */
  properties(driver: string): readonly DeviceProperty[] | null;
}

/** The driver a device_add request names, if any. */
export function deviceDriver(args: JsonObject | undefined): string | null {
  const d = args?.driver;
  return typeof d === 'string' && d ? d : null;
}

/**
 * Sharpens the schema's checks of a device_add: an unknown driver and unknown properties become errors
 * (QEMU refuses them), known properties lose the "not checked" note. Property values are not checked:
 * qdev properties take strings for many types (`addr=06.0` for an int32), so a type check would lie.
 */
export function refineDeviceIssues(
  request: QmpRequest,
  issues: readonly SchemaIssue[],
  catalog: DeviceCatalog | null,
): SchemaIssue[] {
  if (request.execute !== DEVICE_ADD || !catalog) return [...issues];
  const driver = deviceDriver(request.arguments);
  const out: SchemaIssue[] = [];
  if (driver && catalog.types && !catalog.types.includes(driver)) {
    const suggestion = suggestFix(driver, catalog.types, 'value');
    out.push({
      severity: 'error',
      kind: 'bad-enum',
      path: ['driver'],
      message: `This QEMU has no device "${driver}".${didYouMeanSentence(suggestion)}`,
      suggestion,
    });
  }
  const props = driver ? catalog.properties(driver) : null;
  const names = props ? props.map((p) => p.name) : null;
  for (const issue of issues) {
    if (issue.kind !== 'unchecked' || !names) {
      out.push(issue);
      continue;
    }
    const name = String(issue.path[0]);
    if (names.includes(name)) continue;
    const suggestion = suggestFix(name, names, 'name');
    out.push({
      severity: 'error',
      kind: 'unknown-argument',
      path: issue.path,
      message: `${driver} has no property "${formatPath(issue.path)}".${didYouMeanSentence(suggestion)}`,
      suggestion,
    });
  }
  return out;
}
