import { describe, expect, it } from 'vitest';
import { SliceScheduler } from './slice-scheduler.ts';

describe('SliceScheduler', () => {
  it('runs slices in the order asked, and lets the event loop in between turns', async () => {
    const slices = new SliceScheduler(0);
    const order: string[] = [];
    for (const name of ['a', 'b', 'c']) slices.later(() => order.push(name));
    // Queued after the slices: with a budget of 0 ms it still runs before the second slice.
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        order.push('other work');
        resolve();
      }),
    );
    await new Promise<void>((resolve) => {
      const wait = () => (slices.pending === 0 ? resolve() : setImmediate(wait));
      wait();
    });
    expect(order).toEqual(['a', 'other work', 'b', 'c']);
  });

  it('sends a slice that asks for its next one to the back, behind the others', async () => {
    const slices = new SliceScheduler(1000);
    const order: string[] = [];
    let left = 3;
    const replay = () => {
      order.push('replay');
      if (--left > 0) slices.later(replay);
    };
    slices.later(replay);
    slices.later(() => order.push('export'));
    await new Promise<void>((resolve) => {
      const wait = () => (slices.pending === 0 ? resolve() : setImmediate(wait));
      setImmediate(wait);
    });
    expect(order).toEqual(['replay', 'export', 'replay', 'replay']);
  });

  it('keeps going after a slice that throws', async () => {
    const slices = new SliceScheduler();
    const order: string[] = [];
    slices.later(() => {
      throw new Error('boom');
    });
    slices.later(() => order.push('next'));
    await new Promise<void>((resolve) => {
      const wait = () => (slices.pending === 0 ? resolve() : setImmediate(wait));
      setImmediate(wait);
    });
    expect(order).toEqual(['next']);
  });
});
