import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { READ_PAUSE_MS, ReadPacer, TALKING_MS } from './read-pacer.ts';

describe('ReadPacer', () => {
  let calls: string[];
  let pending: number;
  let clock: number;
  let pacer: ReadPacer;
  beforeEach(() => {
    vi.useFakeTimers();
    calls = [];
    pending = 0;
    clock = 1000;
    pacer = new ReadPacer(
      { pause: () => calls.push('pause'), resume: () => calls.push('resume') },
      () => pending,
      READ_PAUSE_MS,
      () => clock,
    );
  });
  afterEach(() => {
    pacer.stop();
    vi.useRealTimers();
  });

  it('pauses reads for the interval after a read while nobody talks to QEMU, once per interval', () => {
    pacer.afterRead();
    pacer.afterRead();
    expect(calls).toEqual(['pause']);
    vi.advanceTimersByTime(READ_PAUSE_MS - 1);
    expect(calls).toEqual(['pause']);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['pause', 'resume']);
    pacer.afterRead();
    expect(calls).toEqual(['pause', 'resume', 'pause']);
  });

  it('never pauses while a command waits for its reply, or within TALKING_MS of the last command', () => {
    pending = 1;
    pacer.afterRead();
    pending = 0;
    pacer.commandSent();
    clock += TALKING_MS - 1;
    pacer.afterRead();
    expect(calls).toEqual([]);
    clock += 1;
    pacer.afterRead();
    expect(calls).toEqual(['pause']);
  });

  it('a command ends the pause at once, and stop leaves no timer behind', () => {
    pacer.afterRead();
    pacer.commandSent();
    expect(calls).toEqual(['pause', 'resume']);
    clock += TALKING_MS;
    pacer.afterRead();
    pacer.stop();
    vi.advanceTimersByTime(READ_PAUSE_MS * 10);
    expect(calls).toEqual(['pause', 'resume', 'pause']);
  });
});
