import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QEMU_7_2_RUN_STATES, runStatesFromSchema, type SchemaEntry, schemaFacts } from './run-states.ts';

const schema7_2 = JSON.parse(
  readFileSync(
    path.join(import.meta.dirname, '../../web/src/composer/fixtures/qemu-7.2-schema.json'),
    'utf8',
  ),
) as SchemaEntry[];

describe('run states from the schema', () => {
  it("finds RunState through query-status in QEMU 7.2's real schema (type names are opaque there)", () => {
    expect(runStatesFromSchema(schema7_2)?.sort()).toEqual([...QEMU_7_2_RUN_STATES].sort());
    const facts = schemaFacts(schema7_2);
    expect(facts.commands.has('query-blockstats')).toBe(true);
    expect(facts.commands.has('BLOCK_IO_ERROR')).toBe(false);
  });

  it("falls back to 7.2's list when the schema says nothing usable", () => {
    expect(
      runStatesFromSchema([{ name: 'query-status', 'meta-type': 'command', 'ret-type': 'x' }]),
    ).toBeNull();
    expect(schemaFacts(null).runStates).toBe(QEMU_7_2_RUN_STATES);
    expect(schemaFacts(null).commands.size).toBe(0);
  });
});
