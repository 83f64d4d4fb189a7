import { afterEach, describe, expect, it, vi } from 'vitest';
import { FanOutClock, type FanOutWriter } from './fan-out-clock.ts';

const tick = () => new Promise<void>((r) => process.nextTick(r));

function writers(n: number) {
  const written: number[] = [];
  const list: FanOutWriter[] = Array.from({ length: n }, (_, i) => ({ writeWaiting: () => written.push(i) }));
  return { list, written };
}

/**
 * Two watchers on a fake clock (the interval is a matter of time, and a loaded machine must not decide
 * the outcome): one write after a quiet spell, then the storm's next read 0.5 ms later, held.
 */
async function watchersInAStorm() {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  vi.advanceTimersByTime(60_000);
  const clock = new FanOutClock();
  const { list, written } = writers(2);
  for (const w of list) clock.wait(w);
  await tick();
  expect(written).toEqual([0, 1]);
  vi.advanceTimersByTime(0.5);
  for (const w of list) clock.wait(w);
  await tick();
  expect(written).toEqual([0, 1]);
  return { clock, list, written };
}

describe('FanOutClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a few waiting writers within the tick, once each however often they asked', async () => {
    const clock = new FanOutClock();
    const { list, written } = writers(3);
    for (const w of [...list, ...list]) clock.wait(w);
    expect(written).toEqual([]);
    await tick();
    expect(written).toEqual([0, 1, 2]);
  });

  it('writes many waiting writers together, at most once per interval, and ends each tick after them', async () => {
    // Fake clocks: the interval is a matter of time, and a loaded machine must not decide the outcome.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    vi.advanceTimersByTime(60_000);
    const clock = new FanOutClock();
    const ends: number[] = [];
    const { list, written } = writers(16);
    clock.onTickEnd(() => ends.push(written.length));
    for (const w of list) clock.wait(w);
    await tick();
    expect(written).toHaveLength(16);
    expect(ends).toEqual([16]);
    // Again 1 ms later: 16 writers wait 2 ms per 8 (4 ms) after the last write.
    vi.advanceTimersByTime(1);
    for (const w of list) clock.wait(w);
    await tick();
    expect(written).toHaveLength(16);
    vi.advanceTimersByTime(2);
    expect(written).toHaveLength(16);
    vi.advanceTimersByTime(1);
    expect(written).toHaveLength(32);
    expect(ends).toEqual([16, 32]);
  });

  it('writes a few watchers at once after a quiet spell, then at most once per interval while events keep coming', async () => {
    const { clock, list, written } = await watchersInAStorm();
    // Held for the 2 ms interval, with what the next read brings, then one write each.
    vi.advanceTimersByTime(1);
    for (const w of list) clock.wait(w);
    await tick();
    expect(written).toEqual([0, 1]);
    vi.advanceTimersByTime(0.5);
    expect(written).toEqual([0, 1, 0, 1]);
    // After a quiet spell the first write leaves within the tick again.
    vi.advanceTimersByTime(50);
    clock.wait(list[0]!);
    await tick();
    expect(written).toEqual([0, 1, 0, 1, 0]);
  });

  it('writes within the tick when a few wait and one of them is talking to QEMU, even while the interval runs', async () => {
    const { clock, written } = await watchersInAStorm();
    // The watchers' held events leave at once with the driver's.
    const driver: FanOutWriter = { talking: true, writeWaiting: () => written.push(9) };
    clock.wait(driver);
    await tick();
    expect(written).toEqual([0, 1, 0, 1, 9]);
    // Alone, the driver never waits.
    for (let i = 0; i < 3; i++) {
      clock.wait(driver);
      await tick();
    }
    expect(written).toEqual([0, 1, 0, 1, 9, 9, 9, 9]);
  });

  it('forgets a writer that wrote by itself', async () => {
    const clock = new FanOutClock();
    const { list, written } = writers(2);
    clock.wait(list[0]!);
    clock.wait(list[1]!);
    clock.wrote(list[0]!);
    await tick();
    expect(written).toEqual([1]);
  });

  it('ends a tick only when no writer waits (one that queued while others wrote goes first)', async () => {
    const clock = new FanOutClock();
    const ends: string[] = [];
    clock.onTickEnd(() => ends.push('end'));
    // Talking clients: each write within its tick, whatever the interval.
    const again: FanOutWriter = { talking: true, writeWaiting: () => ends.push('again') };
    const first: FanOutWriter = {
      talking: true,
      writeWaiting: () => {
        ends.push('first');
        clock.wait(again);
      },
    };
    clock.wait(first);
    await tick();
    await tick();
    expect(ends).toEqual(['first', 'again', 'end']);
  });

  it('writes the writers that lead (journal streams) before the others in each write', async () => {
    const clock = new FanOutClock();
    const order: string[] = [];
    const ws = (name: string): FanOutWriter => ({ writeWaiting: () => order.push(name) });
    const stream: FanOutWriter = { leads: true, writeWaiting: () => order.push('stream') };
    for (const w of [ws('a'), ws('b'), stream, ws('c')]) clock.wait(w);
    await tick();
    expect(order).toEqual(['stream', 'a', 'b', 'c']);
    // One that wrote by itself is forgotten, whichever set it waited in.
    clock.wait(stream);
    clock.wrote(stream);
    await tick();
    expect(order).toEqual(['stream', 'a', 'b', 'c']);
  });
});
