import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../protocol/qmp.ts';
import schemaJson from './fixtures/qemu-7.2-schema.json';
import { parseInput, type QmpRequest } from './qmp-shell-syntax.ts';
import {
  closest,
  effectiveMembers,
  formatPath,
  QmpSchema,
  type SchemaInfo,
  type SchemaIssue,
} from './schema.ts';

const schema = new QmpSchema(schemaJson as SchemaInfo[]);

function request(line: string): QmpRequest {
  const r = parseInput(line, { mode: 'qmp-shell' });
  if (!r.ok) throw new Error(r.error.message);
  return r.request;
}
const check = (line: string) => schema.validate(request(line));
const errors = (line: string) => check(line).filter((i) => i.severity === 'error');
const summary = (issues: SchemaIssue[]) => issues.map((i) => `${i.kind} ${formatPath(i.path)}`);

describe('resolving the QEMU 7.2 schema', () => {
  it('knows every command, sorted', () => {
    expect(schema.commandNames).toHaveLength(216);
    expect(schema.commandNames).toContain('query-status');
    expect([...schema.commandNames].sort()).toEqual(schema.commandNames);
    expect(schema.eventNames).toContain('BLOCK_IO_ERROR');
  });

  it('resolves members with builtin types and optional markers', () => {
    const sig = schema.command('human-monitor-command')!;
    expect(
      sig.args.members.map((m) => [m.name, m.type.kind === 'builtin' && m.type.jsonType, m.optional]),
    ).toEqual([
      ['command-line', 'string', false],
      ['cpu-index', 'int', true],
    ]);
    expect(sig.returns).toMatchObject({ kind: 'builtin', jsonType: 'string' });
    expect(schema.command('query-status')!.args.members).toEqual([]);
  });

  it('resolves a union: blockdev-add by its driver tag', () => {
    const args = schema.command('blockdev-add')!.args;
    expect(args.tag).toBe('driver');
    const driver = args.members.find((m) => m.name === 'driver')!;
    expect(driver.type.kind).toBe('enum');
    if (driver.type.kind === 'enum')
      expect(driver.type.values).toEqual(expect.arrayContaining(['qcow2', 'raw', 'file']));
    const fileMembers = effectiveMembers(args, { driver: 'file' }).map((m) => m.name);
    expect(fileMembers).toEqual(expect.arrayContaining(['driver', 'node-name', 'filename', 'aio']));
    expect(effectiveMembers(args, { driver: 'qcow2' }).map((m) => m.name)).toContain('file');
    expect(effectiveMembers(args, {}).map((m) => m.name)).not.toContain('filename');
  });

  it('resolves an alternate: qcow2 file is an object (recursively BlockdevOptions) or a node name', () => {
    const at = schema.memberAt('blockdev-add', { driver: 'qcow2' }, ['file']);
    expect(at?.type.kind).toBe('alternate');
    if (at?.type.kind !== 'alternate') return;
    expect(at.type.alternatives.map((a) => a.kind).sort()).toEqual(['builtin', 'object']);
    // Following the object alternative: the same union again (a cycle, resolved once).
    const inner = schema.memberAt('blockdev-add', { driver: 'qcow2', file: { driver: 'file' } }, [
      'file',
      'filename',
    ]);
    expect(inner?.type).toMatchObject({ kind: 'builtin', jsonType: 'string' });
    expect(schema.describeType(at.type)).toBe('object or string');
  });

  it('resolves arrays and features', () => {
    const actions = schema.command('transaction')!.args.members.find((m) => m.name === 'actions')!;
    expect(actions.type.kind).toBe('array');
    expect(schema.command('drive-backup')!.deprecated).toBe(true);
    expect(schema.command('x-query-jit')!.unstable).toBe(true);
    expect(schema.command('device_add')!.openArguments).toBe(true);
    expect(schema.command('device_add')!.features).toEqual(['json-cli', 'json-cli-hotplug']);
  });

  it('does not depend on the opaque type names', () => {
    // Renumber every type: everything must resolve the same.
    const entities = schemaJson as SchemaInfo[];
    const keep = new Set(['str', 'int', 'number', 'bool', 'null', 'any']);
    const rename = (n: string): string =>
      keep.has(n) ? n : n.startsWith('[') ? `[${rename(n.slice(1, -1))}]` : `t${n}x`;
    const renamed = JSON.parse(
      JSON.stringify(entities, (key, value) =>
        (key === 'type' || key === 'arg-type' || key === 'ret-type' || key === 'element-type') &&
        typeof value === 'string'
          ? rename(value)
          : value,
      ),
    ) as SchemaInfo[];
    for (const e of renamed)
      if (e['meta-type'] !== 'command' && e['meta-type'] !== 'event') e.name = rename(e.name);
    const other = new QmpSchema(renamed);
    for (const line of [
      'blockdev-add driver=nosuchdriver',
      'query-block foo=1',
      'blockdev-add driver=qcow2 file=1',
    ]) {
      expect(other.validate(request(line))).toEqual(schema.validate(request(line)));
    }
    expect(other.signature('blockdev-add', { driver: 'file' })).toBe(
      schema.signature('blockdev-add', { driver: 'file' }),
    );
  });
});

describe('validating commands', () => {
  it('accepts good commands', () => {
    for (const line of [
      'query-status',
      'query-block',
      'human-monitor-command command-line="info status"',
      'human-monitor-command command-line="info registers" cpu-index=0',
      'blockdev-add driver=file node-name=f0 filename=/tmp/disk.img read-only=true',
      'blockdev-add driver=qcow2 node-name=q0 file=f0',
      'blockdev-add driver=qcow2 node-name=q0 file.driver=file file.filename=/d.img backing=null',
      'blockdev-add driver=raw node-name=r0 file.driver=null-co file.size=1048576',
      'device_del id=net1',
      'transaction( abort, block-dirty-bitmap-add node=q0 name=b0 )',
      'qom-set path=/machine property=foo value=[1,{"a":true}]',
    ]) {
      expect(errors(line), line).toEqual([]);
    }
  });

  it('flags an unknown command, with a suggestion', () => {
    const [issue] = check('qury-status');
    expect(issue).toMatchObject({ severity: 'error', kind: 'unknown-command', path: [] });
    expect(issue!.message).toBe('This QEMU has no command "qury-status". Did you mean "query-status"?');
  });

  it('flags a bad enum value: blockdev-add driver=nosuchdriver', () => {
    const issues = check('blockdev-add driver=nosuchdriver');
    expect(summary(issues)).toEqual(['bad-enum driver']);
    expect(issues[0]!.message).toMatch(
      /^"driver" must be one of blkdebug, blklogwrites, .*, not "nosuchdriver"\.$/,
    );
    expect(check('blockdev-add driver=qcow3 node-name=x file=f')[0]!.message).toContain(
      'Did you mean "qcow2"?',
    );
  });

  it('flags an unknown argument: query-block foo=1', () => {
    const issues = check('query-block foo=1');
    expect(summary(issues)).toEqual(['unknown-argument foo']);
    expect(issues[0]!.message).toBe('query-block takes no arguments, but "foo" was given.');
    const [withArgs] = check('device_del id=x ids=y');
    expect(withArgs!.message).toBe('Unknown argument "ids": device_del takes id. Did you mean "id"?');
  });

  it('explains unknown members of a union variant and of nested objects', () => {
    const [top] = check('blockdev-add driver=raw node-name=r file=f0 filename=/x');
    expect(top!.message).toMatch(
      /^Unknown argument "filename": blockdev-add with driver=raw takes driver, node-name, /,
    );
    const [nested] = errors('blockdev-add driver=qcow2 node-name=q file.driver=file file.filenam=/x');
    expect(nested).toMatchObject({ kind: 'unknown-argument', path: ['file', 'filenam'] });
    expect(nested!.message).toContain('Did you mean "filename"?');
  });

  it('does not call variant members unknown when the tag is missing or wrong', () => {
    expect(summary(check('blockdev-add driver=nosuch filename=/x'))).toEqual(['bad-enum driver']);
    expect(summary(check('blockdev-add filename=/x'))).toEqual(['missing-argument driver']);
  });

  it('flags missing required arguments, nested ones too', () => {
    expect(summary(check('device_del'))).toEqual(['missing-argument id']);
    expect(check('device_del')[0]!.message).toBe('Missing required argument "id" (string).');
    expect(summary(errors('blockdev-add driver=file node-name=x'))).toEqual(['missing-argument filename']);
    expect(summary(errors('blockdev-add driver=qcow2 node-name=q file.driver=file'))).toEqual([
      'missing-argument file.filename',
    ]);
    expect(check('blockdev-add')[0]!.message).toMatch(
      /^Missing required argument "driver" \(one of blkdebug \| /,
    );
  });

  it('flags wrong types, with advice', () => {
    const issues = check('blockdev-add driver=file node-name=1 filename=/x read-only=yes cache.direct=True');
    expect(summary(issues)).toEqual([
      'wrong-type node-name',
      'wrong-type read-only',
      'wrong-type cache.direct',
    ]);
    expect(issues[0]!.message).toBe(
      '"node-name" must be a string, but it is the number 1. Quote it (node-name="1") to send a string.',
    );
    expect(issues[1]!.message).toBe(
      '"read-only" must be a boolean (true or false), but it is the string "yes".',
    );
    expect(issues[2]!.message).toContain('Write it in lower case: true.');
    expect(check('human-monitor-command command-line="info cpus" cpu-index=1.5')[0]!.message).toBe(
      '"cpu-index" must be an integer, but it is the number 1.5.',
    );
    expect(check('blockdev-add driver=qcow2 node-name=q file=1')[0]!.message).toBe(
      '"file" must be an object or a string, but it is the number 1. Quote it (file="1") to send a string.',
    );
  });

  it('checks inside arrays and transactions', () => {
    expect(summary(check('transaction( nosuch-action, abort x=1 )'))).toEqual([
      'bad-enum actions[0].type',
      'unknown-argument actions[1].data.x',
    ]);
    expect(summary(errors('transaction( blockdev-snapshot-sync device=d0 )'))).toEqual([
      'missing-argument actions[0].data.snapshot-file',
    ]);
    expect(
      summary(check('send-key keys=[{"type":"qcode","data":"nosuchkey"},{"type":"number","data":"x"}]')),
    ).toEqual(['bad-enum keys[0].data', 'wrong-type keys[1].data']);
  });

  it('lets device_add pass device properties, noting they are unchecked', () => {
    const issues = check('device_add driver=e1000 id=net1 mac=52:54:00:12:34:56');
    expect(issues).toEqual([
      {
        severity: 'info',
        kind: 'unchecked',
        path: ['mac'],
        message:
          '"mac" is passed to the device as a property; the schema does not describe device properties.',
      },
    ]);
    expect(summary(errors('device_add id=net1'))).toEqual(['missing-argument driver']);
    expect(summary(errors('device_add driver=e1000 id=1'))).toEqual(['wrong-type id']);
  });

  it('warns about deprecated and unstable commands and members', () => {
    expect(check('x-query-jit')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        kind: 'unstable',
        message: expect.stringContaining('x-query-jit is unstable'),
      }),
    ]);
    expect(check('drive-backup device=d target=/t sync=full').map((i) => i.kind)).toContain('deprecated');
    expect(check('eject device=ide1-cd0')).toEqual([
      { severity: 'warning', kind: 'deprecated', path: ['device'], message: '"device" is deprecated.' },
    ]);
    expect(check('object-add qom-type=x-remote-object id=o fd="3" devid=d')).toEqual([
      expect.objectContaining({
        kind: 'unstable',
        path: ['qom-type'],
        message: 'The value "x-remote-object" of "qom-type" is unstable.',
      }),
    ]);
  });
});

describe('completion candidates', () => {
  it('completes command names, everyday ones first', () => {
    expect(schema.commandCandidates('query-st').map((c) => c.insert)).toEqual([
      'query-status',
      'query-stats',
      'query-stats-schemas',
    ]);
    expect(schema.commandCandidates('query-st', ['query-stats'])[0]!.insert).toBe('query-stats');
    expect(schema.commandCandidates('query-stats')[0]!.insert).toBe('query-stats');
    // Containing the text comes after starting with it.
    const block = schema.commandCandidates('block').map((c) => c.insert);
    expect(block.indexOf('block_resize')).toBeLessThan(block.indexOf('query-block'));
    expect(schema.commandCandidates('query-st')[0]!.detail).toBe('no arguments');
    // Unstable ones go last.
    const x = schema.commandCandidates('').map((c) => c.insert);
    expect(x.indexOf('x-query-jit')).toBeGreaterThan(x.indexOf('query-status'));
  });

  it('completes argument names, required first, leaving out those given', () => {
    const names = (args: JsonObject, parent: string[] = [], prefix = '') =>
      schema.argumentCandidates('blockdev-add', args, parent, prefix).map((c) => c.insert);
    expect(names({})[0]).toBe('driver=');
    const file = names({ driver: 'file' });
    expect(file[0]).toBe('filename=');
    expect(file).not.toContain('driver=');
    expect(file).toContain('cache.');
    expect(names({ driver: 'file', filename: '/x' })).not.toContain('filename=');
    expect(names({ driver: 'qcow2' }, [], 'fi')).toEqual(['file=', 'file.']);
    expect(names({ driver: 'qcow2', file: { driver: 'file' } }, ['file'])).toEqual(
      expect.arrayContaining(['file.filename=', 'file.node-name=']),
    );
    expect(names({ driver: 'file' }, ['cache'])).toEqual(['cache.direct=', 'cache.no-flush=']);
  });

  it('completes values: enum values, true/false, null', () => {
    const driver = schema.memberAt('blockdev-add', {}, ['driver'])!.type;
    expect(schema.valueCandidates(driver, 'qc').map((c) => c.insert)).toEqual(['qcow', 'qcow2']);
    const ro = schema.memberAt('blockdev-add', {}, ['read-only'])!.type;
    expect(schema.valueCandidates(ro, '').map((c) => c.insert)).toEqual(['true', 'false']);
    const backing = schema.memberAt('blockdev-add', { driver: 'qcow2' }, ['backing'])!.type;
    expect(schema.valueCandidates(backing, '').map((c) => c.insert)).toEqual(['null']);
  });

  it('knows the transaction actions and their data', () => {
    const actions = schema.transactionActions();
    expect([...actions.keys()]).toEqual(
      expect.arrayContaining(['abort', 'blockdev-snapshot-sync', 'block-dirty-bitmap-add']),
    );
    expect(actions.get('blockdev-snapshot-sync')!.members.map((m) => m.name)).toContain('snapshot-file');
  });

  it('writes signatures and hints in words', () => {
    expect(schema.signature('query-status')).toBe('query-status (no arguments)');
    expect(schema.signature('human-monitor-command')).toBe(
      'human-monitor-command command-line: string, cpu-index?: integer',
    );
    expect(schema.signature('device_add')).toBe(
      'device_add driver: string, bus?: string, id?: string, …device properties',
    );
    expect(schema.signature('blockdev-add', { driver: 'file' })).toMatch(
      /^blockdev-add driver: enum \(\d+\), node-name\?: string, .*filename: string/,
    );
  });

  it('suggests close names', () => {
    expect(closest('qcow3', ['qcow2', 'raw'])).toBe('qcow2');
    expect(closest('zzzzzz', ['qcow2', 'raw'])).toBeNull();
  });
});
