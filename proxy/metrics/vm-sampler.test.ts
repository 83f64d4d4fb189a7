import { describe, expect, it } from 'vitest';
import { FakeMetricsVm } from '../test-support/metrics-fakes.ts';
import { QEMU_7_2_RUN_STATES } from './run-states.ts';
import { VmSampler } from './vm-sampler.ts';

const block = [{ device: 'bad0', 'io-status': 'failed', inserted: { 'node-name': '#block1' } }];
const stats = [{ device: 'bad0', stats: { rd_bytes: 512, rd_operations: 1 } }];

function rig(options: { timeoutMs?: number; backoffMs?: number } = {}) {
  const vm = new FakeMetricsVm('vm1');
  let now = 1_000_000;
  const failures: string[] = [];
  const sampler = new VmSampler(vm, {
    now: () => now,
    onFailure: (_vm, reason) => failures.push(reason),
    ...options,
  });
  const blockCommands = () => vm.asked.filter((p) => p.command !== 'query-qmp-schema').map((p) => p.command);
  return {
    vm,
    sampler,
    failures,
    blockCommands,
    advance: (ms: number) => {
      now += ms;
    },
    answerBlock: () => {
      vm.answer('query-block', block);
      vm.answer('query-blockstats', stats);
    },
  };
}

describe('VmSampler', () => {
  it('asks QEMU once however many scrapes come in the same second, and shares the answer', async () => {
    const r = rig();
    const scrapes = [r.sampler.sample(), r.sampler.sample(), r.sampler.sample()];
    expect(r.blockCommands()).toEqual(['query-block', 'query-blockstats']);
    r.answerBlock();
    const results = await Promise.all(scrapes);
    expect(results[0]).toEqual({
      ioStatus: [{ device: 'bad0', node: '#block1', status: 'failed' }],
      counters: [expect.objectContaining({ device: 'bad0', readBytes: 512, readOps: 1 })],
    });
    expect(results[1]).toBe(results[0]);
    r.advance(999);
    expect(await r.sampler.sample()).toBe(results[0]);
    expect(r.blockCommands()).toEqual([]);
    r.advance(1);
    const next = r.sampler.sample();
    expect(r.blockCommands()).toEqual(['query-block', 'query-blockstats']);
    r.answerBlock();
    expect(await next).not.toBe(results[0]);
  });

  it('reads the schema once per connection: its RunState values and command names', async () => {
    const r = rig();
    const first = r.sampler.sample();
    expect(r.vm.asked.filter((p) => p.command === 'query-qmp-schema')).toHaveLength(1);
    expect(r.sampler.schema.runStates).toEqual(QEMU_7_2_RUN_STATES);
    r.vm.answer('query-qmp-schema', [
      { name: 'query-status', 'meta-type': 'command', 'ret-type': '1' },
      { name: '1', 'meta-type': 'object', members: [{ name: 'status', type: '2' }] },
      { name: '2', 'meta-type': 'enum', values: ['running', 'paused', 'brand-new'] },
    ]);
    r.answerBlock();
    await first;
    await Promise.resolve();
    expect(r.sampler.schema.runStates).toEqual(['running', 'paused', 'brand-new']);
    expect([...r.sampler.schema.commands]).toEqual(['query-status']);
    r.advance(1000);
    const second = r.sampler.sample();
    expect(r.vm.asked.filter((p) => p.command === 'query-qmp-schema')).toHaveLength(0);
    r.answerBlock();
    await second;
  });

  it('after a timeout leaves the monitor alone for the back-off, and exports nothing meanwhile', async () => {
    const r = rig({ backoffMs: 10_000 });
    const first = r.sampler.sample();
    r.vm.fail('query-block', 'timeout');
    r.vm.answer('query-blockstats', stats);
    expect(await first).toBeNull();
    expect(r.failures).toEqual(['timeout']);
    r.advance(9_999);
    expect(await r.sampler.sample()).toBeNull();
    expect(r.blockCommands()).toEqual([]);
    r.advance(1);
    const again = r.sampler.sample();
    expect(r.blockCommands()).toEqual(['query-block', 'query-blockstats']);
    r.answerBlock();
    expect(await again).not.toBeNull();
  });

  it('gives nothing for a disconnected VM and forgets what the last connection said', async () => {
    const r = rig();
    const first = r.sampler.sample();
    r.answerBlock();
    expect(await first).not.toBeNull();
    r.vm.setState('disconnected');
    expect(await r.sampler.sample()).toBeNull();
    expect(r.blockCommands()).toEqual([]);
    r.vm.setState('connected');
    // A new connection is asked at once, even within the second.
    const fresh = r.sampler.sample();
    expect(r.blockCommands()).toEqual(['query-block', 'query-blockstats']);
    r.answerBlock();
    expect(await fresh).not.toBeNull();
  });

  it('drops an answer that arrives after the connection changed', async () => {
    const r = rig();
    const old = r.sampler.sample();
    r.vm.setState('disconnected');
    r.vm.setState('connected');
    r.answerBlock();
    expect(await old).toBeNull();
  });
});
