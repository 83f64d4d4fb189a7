import { describe, expect, it } from 'vitest';
import { applyCandidate, caretContext, complete, hintAt } from './completion.ts';
import type { DeviceCatalog } from './device-catalog.ts';
import schemaJson from './fixtures/qemu-7.2-schema.json';
import { QmpSchema, type SchemaInfo } from './schema.ts';

const schema = new QmpSchema(schemaJson as SchemaInfo[]);

/** `|` marks the caret. */
function at(marked: string) {
  const caret = marked.indexOf('|');
  return { text: marked.replace('|', ''), caret };
}
function names(marked: string) {
  const { text, caret } = at(marked);
  return complete(schema, text, caret, { mode: 'qmp-shell' }).candidates.map((c) => c.insert);
}
/** Applies the first candidate; returns the text with `|` at the new caret. */
function tab(marked: string) {
  const { text, caret } = at(marked);
  const completion = complete(schema, text, caret, { mode: 'qmp-shell' });
  const first = completion.candidates[0];
  if (!first) return marked;
  const r = applyCandidate(text, completion, first);
  return `${r.text.slice(0, r.caret)}|${r.text.slice(r.caret)}`;
}

describe('caret context', () => {
  it('tells command, argument and value apart', () => {
    const ctx = (m: string) => {
      const { text, caret } = at(m);
      return caretContext(text, caret, 'qmp-shell');
    };
    expect(ctx('query-st|')).toMatchObject({ kind: 'command', prefix: 'query-st', from: 0, to: 8 });
    expect(ctx('|')).toMatchObject({ kind: 'command', prefix: '' });
    expect(ctx('query-|st')).toMatchObject({ kind: 'command', prefix: 'query-', to: 8 });
    expect(ctx('blockdev-add |')).toMatchObject({
      kind: 'argument',
      command: 'blockdev-add',
      prefix: '',
      parents: [],
    });
    expect(ctx('blockdev-add file.dr|')).toMatchObject({
      kind: 'argument',
      parents: ['file'],
      prefix: 'dr',
      from: 13,
    });
    expect(ctx('blockdev-add driver=qc|')).toMatchObject({
      kind: 'value',
      key: ['driver'],
      prefix: 'qc',
      from: 20,
    });
    expect(ctx('blockdev-add driver=file read-only=t| x=1')).toMatchObject({
      kind: 'value',
      key: ['read-only'],
      args: { driver: 'file', x: 1 },
    });
    expect(ctx('{"execute": "q|')).toEqual({ kind: 'none' });
    expect(caretContext('info st', 7, 'hmp')).toEqual({ kind: 'none' });
  });
});

describe('completion', () => {
  it('completes query-st to query-status', () => {
    expect(tab('query-st|')).toBe('query-status |');
    expect(names('query-st|')).toEqual(['query-status', 'query-stats', 'query-stats-schemas']);
  });

  it('ranks recently used commands first', () => {
    const { text, caret } = at('query-st|');
    expect(
      complete(schema, text, caret, { mode: 'qmp-shell', preferred: ['query-stats'] }).candidates[0]!.insert,
    ).toBe('query-stats');
  });

  it('completes argument names, required first, then values', () => {
    expect(tab('blockdev-add |')).toBe('blockdev-add driver=|');
    expect(tab('blockdev-add driver=qco|')).toBe('blockdev-add driver=qcow |');
    expect(names('blockdev-add driver=qco|')).toEqual(['qcow', 'qcow2']);
    expect(names('blockdev-add driver=qcow2 |')[0]).toBe('file=');
    expect(names('blockdev-add driver=qcow2 node-name=q |')).not.toContain('node-name=');
    expect(tab('blockdev-add driver=file read|')).toBe('blockdev-add driver=file read-only=|');
    expect(names('blockdev-add driver=file read-only=|')).toEqual(['true', 'false']);
    expect(tab('blockdev-add driver=file read-only=|')).toBe('blockdev-add driver=file read-only=true |');
  });

  it('completes nested dotted names', () => {
    expect(names('blockdev-add driver=qcow2 file.|')).toContain('file.driver=');
    expect(names('blockdev-add driver=qcow2 file.driver=file file.fi|')).toEqual(['file.filename=']);
    expect(names('blockdev-add driver=file cache.|')).toEqual(['cache.direct=', 'cache.no-flush=']);
  });

  it('replaces an argument name up to its =, keeping the value', () => {
    expect(tab('device_del i|=net1')).toBe('device_del id=|net1');
  });

  it('completes transaction actions and their arguments', () => {
    expect(names('transaction( abo|')).toEqual(['abort']);
    expect(names('transaction( abort, blockdev-snapshot-s|')).toEqual(['blockdev-snapshot-sync']);
    expect(names('transaction( blockdev-snapshot-sync |')[0]).toMatch(/=$/);
    expect(names('transaction( abort, blockdev-snapshot-sync device=d |')).toContain('snapshot-file=');
    expect(names('transaction( abort, blockdev-snapshot-sync device=d |')).not.toContain('device=');
    expect(names('transaction( blockdev-snapshot-sync mode=|')).toEqual(['existing', 'absolute-paths']);
    expect(names('transaction( abort ) |')).toEqual([]);
  });

  it('has nothing to offer in JSON and HMP modes', () => {
    expect(complete(schema, 'info', 4, { mode: 'hmp' }).candidates).toEqual([]);
    expect(complete(schema, '{"execute":"q', 13, { mode: 'json' }).candidates).toEqual([]);
  });
});

describe('device_add with the device catalog', () => {
  const devices: DeviceCatalog = {
    types: ['e1000', 'e1000e', 'virtio-net-pci'],
    properties: (d) =>
      d === 'e1000'
        ? [
            { name: 'mac', type: 'str', description: 'MAC address' },
            { name: 'netdev', type: 'str' },
            { name: 'x-flag', type: 'bool', 'default-value': true },
          ]
        : null,
  };
  const names = (marked: string) => {
    const { text, caret } = at(marked);
    return complete(schema, text, caret, { mode: 'qmp-shell', devices }).candidates.map((c) => c.insert);
  };

  it('completes drivers and their properties, after the schema members', () => {
    expect(names('device_add driver=e1|')).toEqual(['e1000', 'e1000e']);
    expect(names('device_add driver=e1000 |')).toEqual(['bus=', 'id=', 'mac=', 'netdev=', 'x-flag=']);
    expect(names('device_add driver=e1000 mac=x |')).toEqual(['bus=', 'id=', 'netdev=', 'x-flag=']);
    expect(names('device_add driver=e1000 x-flag=|')).toEqual(['true', 'false']);
    expect(names('device_add driver=virtio-net-pci |')).toEqual(['bus=', 'id=']);
  });

  it('explains a property in the hint line', () => {
    const { text, caret } = at('device_add driver=e1000 x-flag=|');
    expect(hintAt(schema, text, caret, 'qmp-shell', devices).current).toBe(
      'x-flag (e1000 property, default true): bool',
    );
  });
});

describe('hint line', () => {
  const hint = (m: string) => {
    const { text, caret } = at(m);
    return hintAt(schema, text, caret, 'qmp-shell');
  };

  it('shows the signature and the current argument type', () => {
    expect(hint('query-status|').signature).toBe('query-status (no arguments)');
    const h = hint('blockdev-add driver=|');
    expect(h.signature).toMatch(/^blockdev-add driver: enum/);
    expect(h.current).toMatch(/^driver \(required\): one of blkdebug \| /);
    expect(hint('blockdev-add driver=file filename=/x read-only=|').current).toBe(
      'read-only (optional): boolean',
    );
    expect(hint('human-monitor-command cpu-index|').current).toBe('cpu-index (optional): integer');
    expect(hint('blockdev-add driver=qcow2 file=|').current).toBe('file (required): object or string');
    expect(hint('eject device=|').current).toBe('device (optional, deprecated): string');
  });

  it('shows the action signature inside a transaction', () => {
    const h = hint('transaction( block-dirty-bitmap-add node=n |');
    expect(h.signature).toMatch(/^block-dirty-bitmap-add node, name, /);
  });

  it('shows the signature in JSON mode once the command is named', () => {
    expect(hintAt(schema, '{"execute": "device_del", "arguments": {', 10, 'json').signature).toBe(
      'device_del id: string',
    );
    expect(hintAt(schema, '{"execute": "nosuch"}', 3, 'json').signature).toBeNull();
  });

  it('knows nothing of unknown commands', () => {
    expect(hint('nosuch a=|')).toEqual({ signature: null, current: null });
  });
});
