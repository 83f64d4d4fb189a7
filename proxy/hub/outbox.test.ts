// The ordering primitive on its own: order kept whatever the order of readiness, bounded, clearable.
import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.ts';

describe('Outbox', () => {
  it('releases at once when nothing waits, and otherwise in the order places were taken', () => {
    const out: string[] = [];
    const box = new Outbox<string>((s) => out.push(s));
    box.push('a');
    expect(out).toEqual(['a']);
    const first = box.reserve();
    const second = box.reserve();
    box.push('c');
    second('b2');
    expect(out).toEqual(['a']);
    first('b1');
    expect(out).toEqual(['a', 'b1', 'b2', 'c']);
    expect(box.waiting).toBe(0);
    first('again');
    expect(out).toHaveLength(4);
  });

  it('keeps order when a release pushes again', () => {
    const out: string[] = [];
    const box: Outbox<string> = new Outbox<string>((s) => {
      out.push(s);
      if (s === 'x') box.push('after-x');
    });
    const place = box.reserve();
    box.push('y');
    place('x');
    expect(out).toEqual(['x', 'y', 'after-x']);
  });

  it('counts only what is held behind a place not yet filled, and says once when past the bound', () => {
    const overflows: number[] = [];
    const out: string[] = [];
    const box = new Outbox<string>((s) => out.push(s), {
      maxBytes: 10,
      size: (s) => s.length,
      onOverflow: (held) => overflows.push(held),
    });
    box.push('0123456789abc');
    expect(overflows).toEqual([]);
    const place = box.reserve();
    box.push('0123456789');
    expect(overflows).toEqual([]);
    box.push('x');
    box.push('y');
    expect(overflows).toEqual([11]);
    place('p');
    expect(out).toEqual(['0123456789abc', 'p', '0123456789', 'x', 'y']);
  });

  it('forgets waiting places on clear, even when they are filled later', () => {
    const out: string[] = [];
    const box = new Outbox<string>((s) => out.push(s));
    const stale = box.reserve();
    box.push('held');
    box.clear();
    stale('late');
    box.push('new');
    expect(out).toEqual(['new']);
  });
});
