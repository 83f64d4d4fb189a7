import { describe, expect, it } from 'vitest';
import schemaJson from './fixtures/qemu-7.2-schema.json';
import { type ComposerMode, parseInput } from './qmp-shell-syntax.ts';
import { QmpSchema, type SchemaInfo } from './schema.ts';
import { applySuggestion } from './suggestion-fix.ts';

const schema = new QmpSchema(schemaJson as SchemaInfo[]);

/** The line after clicking the first "Did you mean" the schema offers for it (null: no fix offered). */
function fix(text: string, mode: ComposerMode = 'qmp-shell'): string | null {
  const parsed = parseInput(text, { mode });
  if (!parsed.ok) throw new Error(parsed.error.message);
  const issue = schema.validate(parsed.request).find((i) => i.suggestion);
  if (!issue) throw new Error(`no suggestion for ${text}`);
  return applySuggestion(text, issue, parsed.locations);
}

describe('applying a "Did you mean"', () => {
  it('replaces the command name, an argument name (its last dotted part) and a value where written', () => {
    expect(fix('  qury-status')).toBe('  query-status');
    expect(fix('device_del ids=net1')).toBe('device_del id=net1');
    expect(fix('blockdev-add driver=file node-name=n0 filenme=/tmp/x')).toBe(
      'blockdev-add driver=file node-name=n0 filename=/tmp/x',
    );
    expect(fix('blockdev-add driver=raw node-name=n0 file.driver=file file.filenme=/x')).toBe(
      'blockdev-add driver=raw node-name=n0 file.driver=file file.filename=/x',
    );
    expect(fix("blockdev-add driver='qcow3' node-name=n0 file=f0")).toBe(
      "blockdev-add driver='qcow2' node-name=n0 file=f0",
    );
  });

  it('replaces a JSON string inside a JSON value or command, only where it occurs once', () => {
    expect(fix('blockdev-add driver=raw node-name=n0 file={"driver": "file", "filenme": "/x"}')).toBe(
      'blockdev-add driver=raw node-name=n0 file={"driver": "file", "filename": "/x"}',
    );
    expect(
      fix(
        '{"execute": "blockdev-add", "arguments": {"driver": "qcow3", "node-name": "n0", "file": "f0"}}',
        'json',
      ),
    ).toBe('{"execute": "blockdev-add", "arguments": {"driver": "qcow2", "node-name": "n0", "file": "f0"}}');
    // "qcow3" twice: which one is meant cannot be told, so no fix is offered.
    expect(
      fix(
        '{"execute": "blockdev-add", "arguments": {"driver": "qcow3", "node-name": "qcow3", "file": "f"}}',
        'json',
      ),
    ).toBeNull();
  });

  it('replaces the action type of a transaction', () => {
    expect(fix('transaction(\nabort\nblock-dirty-bitmap-ad node=d0 name=b0\n)')).toBe(
      'transaction(\nabort\nblock-dirty-bitmap-add node=d0 name=b0\n)',
    );
  });
});
