import { describe, expect, it } from 'vitest';
import { complete, hintAt } from './completion.ts';
import schemaJson from './fixtures/qemu-7.2-schema.json';
import { parseInput, transactionIsOpen } from './qmp-shell-syntax.ts';
import { QmpSchema, type SchemaInfo } from './schema.ts';

const schema = new QmpSchema(schemaJson as SchemaInfo[]);
const shell = (text: string) => parseInput(text, { mode: 'qmp-shell' });

/** The example of QEMU's own qmp-shell help, as typed at its `TRANS>` prompt. */
const QMP_SHELL_EXAMPLE = [
  'transaction(',
  'block-dirty-bitmap-add node=drive0 name=bitmap1',
  'block-dirty-bitmap-clear node=drive0 name=bitmap0',
  ')',
].join('\n');

describe("qmp-shell's multi-line transaction", () => {
  it('reads one action per line, closed by ) on its own line', () => {
    const r = shell(QMP_SHELL_EXAMPLE);
    expect(r.ok && r.request).toEqual({
      execute: 'transaction',
      arguments: {
        actions: [
          { type: 'block-dirty-bitmap-add', data: { node: 'drive0', name: 'bitmap1' } },
          { type: 'block-dirty-bitmap-clear', data: { node: 'drive0', name: 'bitmap0' } },
        ],
      },
    });
    // Every action's type and arguments are located, for pointing at them.
    expect(r.ok && r.locations.map((l) => l.path.join('.'))).toEqual([
      'actions.0.type',
      'actions.0.data.node',
      'actions.0.data.name',
      'actions.1.type',
      'actions.1.data.node',
      'actions.1.data.name',
    ]);
  });

  it('takes ) at the end of the last action, blank lines, and a key=value line as more of the action above', () => {
    const r = shell('transaction(\n  abort\n\n  block-dirty-bitmap-add node=d0\n    name=b0 )');
    expect(r.ok && r.request.arguments).toEqual({
      actions: [
        { type: 'abort', data: {} },
        { type: 'block-dirty-bitmap-add', data: { node: 'd0', name: 'b0' } },
      ],
    });
  });

  it('still reads the one-line form with commas, and a quoted or JSON value spanning the break', () => {
    expect(shell('transaction( abort, abort )').ok).toBe(true);
    const r = shell('transaction(\nx a={"k":\n 1} b="two\nlines"\n)');
    expect(r.ok && r.request.arguments).toEqual({
      actions: [{ type: 'x', data: { a: { k: 1 }, b: 'two\nlines' } }],
    });
  });

  it('says what is wrong on a line', () => {
    const r = shell('transaction(\nabort\nx a\n)');
    expect(!r.ok && r.error).toMatchObject({ message: 'Expected key=value, got "a"', start: 21, end: 22 });
  });

  it('knows while a transaction is open (Enter adds a line then)', () => {
    expect(transactionIsOpen('transaction(', 'qmp-shell')).toBe(true);
    expect(transactionIsOpen('transaction(\nabort', 'qmp-shell')).toBe(true);
    expect(transactionIsOpen('transaction(\nx a="(not closed)"', 'qmp-shell')).toBe(true);
    expect(transactionIsOpen('transaction(\nabort\n)', 'qmp-shell')).toBe(false);
    expect(transactionIsOpen('transaction(\nabort )', 'qmp-shell')).toBe(false);
    expect(transactionIsOpen('transaction( abort )', 'qmp-shell')).toBe(false);
    expect(transactionIsOpen('query-status', 'qmp-shell')).toBe(false);
    expect(transactionIsOpen('transaction(', 'hmp')).toBe(false);
  });

  it('completes the action type on a new line, and the arguments of the action on that line', () => {
    const names = (text: string) =>
      complete(schema, text, text.length, { mode: 'qmp-shell' }).candidates.map((c) => c.insert);
    expect(names('transaction(\nblock-dirty-bitmap-add node=d0 name=b0\nblock-dirty-bitmap-cl')).toEqual([
      'block-dirty-bitmap-clear',
    ]);
    expect(names('transaction(\nabort\n')).toContain('block-dirty-bitmap-add');
    const args = names('transaction(\nabort\nblock-dirty-bitmap-add node=d0 ');
    expect(args).toContain('name=');
    expect(args).not.toContain('node=');
    const typed = 'transaction(\nabort\nblock-dirty-bitmap-add ';
    const hint = hintAt(schema, typed, typed.length, 'qmp-shell');
    expect(hint.signature).toContain('block-dirty-bitmap-add');
  });

  it('is checked by the schema action by action', () => {
    const r = shell(
      'transaction(\nblock-dirty-bitmap-add node=d0\nblock-dirty-bitmap-clear node=d0 name=b\n)',
    );
    if (!r.ok) throw new Error(r.error.message);
    expect(
      schema
        .validate(r.request)
        .filter((i) => i.severity === 'error')
        .map((i) => i.message),
    ).toEqual(['Missing required argument "actions[0].data.name" (string).']);
  });
});
