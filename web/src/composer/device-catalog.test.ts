import { describe, expect, it } from 'vitest';
import { type DeviceCatalog, refineDeviceIssues } from './device-catalog.ts';
import schemaJson from './fixtures/qemu-7.2-schema.json';
import { parseInput, type QmpRequest } from './qmp-shell-syntax.ts';
import { QmpSchema, type SchemaInfo } from './schema.ts';

const schema = new QmpSchema(schemaJson as SchemaInfo[]);
const catalog: DeviceCatalog = {
  types: ['e1000', 'virtio-net-pci'],
  properties: (d) =>
    d === 'e1000'
      ? [
          { name: 'mac', type: 'str' },
          { name: 'netdev', type: 'str' },
        ]
      : null,
};

function check(line: string, devices: DeviceCatalog | null = catalog) {
  const r = parseInput(line, { mode: 'qmp-shell' });
  if (!r.ok) throw new Error(r.error.message);
  const request: QmpRequest = r.request;
  return refineDeviceIssues(request, schema.validate(request), devices).map(
    (i) => `${i.severity} ${i.message}`,
  );
}

describe('refineDeviceIssues', () => {
  it('accepts known properties without a note', () => {
    expect(check('device_add driver=e1000 id=n mac=52:54:00:12:34:56 netdev=n0')).toEqual([]);
  });

  it('flags unknown properties and drivers', () => {
    expect(check('device_add driver=e1000 netdve=n0')).toEqual([
      'error e1000 has no property "netdve". Did you mean "netdev"?',
    ]);
    expect(check('device_add driver=e1001')).toEqual([
      'error This QEMU has no device "e1001". Did you mean "e1000"?',
    ]);
  });

  it('leaves the schema’s notes while the properties are unknown', () => {
    expect(check('device_add driver=virtio-net-pci netdev=n0')).toEqual([
      'info "netdev" is passed to the device as a property; the schema does not describe device properties.',
    ]);
    expect(check('device_add driver=e1000 foo=1', null)).toHaveLength(1);
    expect(check('query-status', catalog)).toEqual([]);
  });
});
