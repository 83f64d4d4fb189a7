import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CommandRecord } from '../../protocol/journal.ts';
import { summarizeRefusals } from './refusal-summary.ts';

const record = (
  command: string,
  outcome: CommandRecord['outcome'],
  role: 'operator' | 'viewer' = 'viewer',
  remoteAddress = '127.0.0.1:5000',
): CommandRecord => ({
  vm: 'vm1',
  context: { role, remoteAddress },
  command,
  argumentNames: [],
  outcome,
  ...(outcome === 'denied' ? { errorClass: 'GenericError', refusal: 'viewer' as const } : {}),
});

afterEach(() => {
  vi.useRealTimers();
});

describe('summarizeRefusals', () => {
  it('passes every other outcome through, and the first refusal of a window whole', () => {
    const out: CommandRecord[] = [];
    const s = summarizeRefusals((r) => out.push(r), { windowMs: 1000 });
    s.listener(record('query-status', 'ok', 'operator'));
    s.listener(record('stop', 'denied'));
    s.listener(record('cont', 'error', 'operator'));
    expect(out.map((r) => [r.command, r.outcome])).toEqual([
      ['query-status', 'ok'],
      ['stop', 'denied'],
      ['cont', 'error'],
    ]);
    s.flush();
    expect(out).toHaveLength(3);
    expect(s.openWindows).toBe(0);
  });

  it('turns a flood into one summary per window and role, naming the commands and clients', () => {
    vi.useFakeTimers();
    const out: CommandRecord[] = [];
    const s = summarizeRefusals((r) => out.push(r), { windowMs: 1000, now: () => Date.now() });
    for (let i = 0; i < 5000; i++)
      s.listener(record(i % 2 ? 'stop' : 'quit', 'denied', 'viewer', `c${i % 3}`));
    s.listener(record('quit', 'denied', 'operator'));
    expect(out).toHaveLength(2);
    vi.advanceTimersByTime(1000);
    expect(out).toHaveLength(3);
    expect(out[2]).toEqual({
      vm: 'vm1',
      context: { role: 'viewer', remoteAddress: 'c1, c2, c0' },
      command: 'stop, quit',
      argumentNames: [],
      outcome: 'denied',
      errorClass: 'GenericError',
      refusal: 'viewer',
      count: 4999,
    });
    // Nothing is held once the windows end.
    expect(s.openWindows).toBe(0);
    s.listener(record('stop', 'denied'));
    expect(out).toHaveLength(4);
    expect(out.at(-1)).toEqual(record('stop', 'denied'));
  });

  it('caps the names it keeps: a client cannot grow a summary', () => {
    vi.useFakeTimers();
    const out: CommandRecord[] = [];
    const s = summarizeRefusals((r) => out.push(r), { windowMs: 1000, now: () => Date.now() });
    for (let i = 0; i < 1000; i++) s.listener(record(`x-${i}`, 'denied', 'viewer', `10.0.0.${i}:1`));
    s.flush();
    const summary = out.at(-1)!;
    expect(summary.count).toBe(999);
    expect(summary.command.split(', ')).toHaveLength(9);
    expect(summary.command.endsWith(', ...')).toBe(true);
    expect(summary.context.remoteAddress).toMatch(/ and 991 more refusals from others$/);
  });
});
