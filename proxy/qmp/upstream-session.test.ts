// Framing faults cannot be provoked in a real QEMU; a scripted unix-socket peer plays QEMU here.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type FakeQemuOptions, startFakeQemu } from '../test-support/fake-qemu.ts';
import { TALKING_MS } from './read-pacer.ts';
import { type UpstreamReply, UpstreamSession } from './upstream-session.ts';

/** The scripted peer, closed after the test. */
async function fakeQemu(onCommand: FakeQemuOptions['onCommand'], greeting?: string) {
  const peer = await startFakeQemu({ onCommand, ...(greeting !== undefined ? { greeting } : {}) });
  return { sock: peer.sock, dropAll: () => peer.dropAll(), close: () => peer.close() };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function connected(session: UpstreamSession) {
  return new Promise<void>((resolve) => {
    const off = session.onStatus((s) => {
      if (s.state === 'connected') {
        off();
        resolve();
      }
    });
  });
}

function run(session: UpstreamSession, command: string) {
  return new Promise<UpstreamReply>((resolve) => session.send('execute', command, undefined, resolve));
}

describe('UpstreamSession against a scripted QMP peer', () => {
  it('drops a line that is not JSON and keeps serving the next command', async () => {
    const peer = await fakeQemu((cmd, reply) => {
      if (cmd.execute === 'garbage') reply(`this is not json\r\n{"return": 1, "id": ${cmd.id}}\r\n`);
      else reply(`{"return": 2, "id": ${cmd.id}}\r\n`);
    });
    const session = new UpstreamSession({ name: 't', address: { kind: 'unix', path: peer.sock } });
    cleanups.push(() => session.stop(), peer.close);
    session.start();
    await connected(session);
    expect((await run(session, 'garbage')).message).toEqual({ return: 1, id: expect.any(Number) });
    expect((await run(session, 'next')).message).toMatchObject({ return: 2 });
    expect(session.status.state).toBe('connected');
  });

  it('drops malformed messages from QEMU instead of using them as what they claim to be', async () => {
    const peer = await fakeQemu((cmd, reply) => {
      if (cmd.execute === 'hostile')
        reply(
          [
            '{"event": "STOP"}',
            '{"event": "STOP", "timestamp": {"seconds": "1}", "microseconds": 0}}',
            '{"event": "STOP", "data": 5, "timestamp": {"seconds": 1, "microseconds": 0}}',
            '{"event": "RESUME", "timestamp": {"seconds": 1, "microseconds": 0}}',
            `{"error": null, "id": ${cmd.id}}`,
            '',
          ].join('\r\n'),
        );
      else reply(`{"return": 2, "id": ${cmd.id}}\r\n`);
    });
    const session = new UpstreamSession({ name: 't', address: { kind: 'unix', path: peer.sock } });
    cleanups.push(() => session.stop(), peer.close);
    const events: string[] = [];
    session.onEvent((e) => events.push(`${e.event}@${e.timestamp.seconds}`));
    session.start();
    await connected(session);
    const bad = await run(session, 'hostile');
    expect(bad.message).toMatchObject({ error: { class: 'GenericError' } });
    expect('error' in bad.message && bad.message.error.desc).toMatch(/malformed/);
    expect(events).toEqual(['RESUME@1']);
    expect((await run(session, 'next')).message).toMatchObject({ return: 2 });
  });

  it('does not negotiate on a greeting without capabilities, and says why it gave up', async () => {
    const peer = await fakeQemu(() => {}, '{"QMP": {}}');
    const session = new UpstreamSession(
      { name: 't', address: { kind: 'unix', path: peer.sock } },
      { greetingTimeoutMs: 100, initialBackoffMs: 10_000 },
    );
    cleanups.push(() => session.stop(), peer.close);
    const gaveUp = new Promise<void>((resolve) =>
      session.onStatus((s) => s.state === 'disconnected' && resolve()),
    );
    session.start();
    await gaveUp;
    expect(session.status.error).toMatch(/no QMP greeting/);
  });

  it('ends a command whose reply is over the size limit with an error that says so', async () => {
    const peer = await fakeQemu((cmd, reply) => {
      if (cmd.execute === 'huge') reply(`{"return": "${'x'.repeat(5000)}", "id": ${cmd.id}}\r\n`);
      else reply(`{"return": "small", "id": ${cmd.id}}\r\n`);
    });
    const session = new UpstreamSession(
      { name: 't', address: { kind: 'unix', path: peer.sock } },
      { maxLineBytes: 1024 },
    );
    cleanups.push(() => session.stop(), peer.close);
    session.start();
    await connected(session);
    const big = await run(session, 'huge');
    expect(big.message).toMatchObject({ error: { class: 'GenericError' } });
    expect('error' in big.message && big.message.error.desc).toMatch(/over the 1024-byte limit/);
    expect((await run(session, 'after')).message).toMatchObject({ return: 'small' });
  });

  it("gives an answered command's id to the next one, and never one still in flight", async () => {
    const seen: number[] = [];
    const held: (() => void)[] = [];
    const peer = await fakeQemu((cmd, reply) => {
      seen.push(cmd.id as number);
      const answer = () => reply(`{"return": "${cmd.execute}", "id": ${cmd.id}}\r\n`);
      if (cmd.execute === 'slow') held.push(answer);
      else answer();
    });
    const session = new UpstreamSession({ name: 't', address: { kind: 'unix', path: peer.sock } });
    cleanups.push(() => session.stop(), peer.close);
    session.start();
    await connected(session);
    // QEMU 7.2 reads a byte per system call: a long-running console's ids must not grow digits.
    for (let i = 0; i < 20; i++)
      expect((await run(session, `q${i}`)).message).toMatchObject({ return: `q${i}` });
    expect(new Set(seen.splice(0))).toEqual(new Set([1]));
    const slow = run(session, 'slow');
    const quick = await run(session, 'quick');
    expect(quick.message).toMatchObject({ return: 'quick' });
    expect(seen.splice(0)).toEqual([1, 2]);
    // id 1 is still QEMU's to answer: the next command takes the one `quick` freed.
    expect((await run(session, 'next')).message).toMatchObject({ return: 'next' });
    expect(seen.splice(0)).toEqual([2]);
    for (const answer of held.splice(0)) answer();
    expect((await slow).message).toMatchObject({ return: 'slow' });
  });

  it('takes a storm of events while nobody talks, whole and in order, and answers a command in it', async () => {
    let send: (text: string) => void = () => {};
    const peer = await fakeQemu((cmd, reply) => {
      send = reply;
      reply(`{"return": "${cmd.execute}", "id": ${cmd.id}}\r\n`);
    });
    const session = new UpstreamSession({ name: 't', address: { kind: 'unix', path: peer.sock } });
    cleanups.push(() => session.stop(), peer.close);
    const events: number[] = [];
    session.onEvent((e) => events.push((e.data as { n: number }).n));
    session.start();
    await connected(session);
    await run(session, 'hello');
    // Past the time a command counts as talking: the session paces its reads from here on.
    await new Promise((r) => setTimeout(r, TALKING_MS + 20));
    const event = (n: number) =>
      `{"timestamp": {"seconds": 1700000000, "microseconds": ${n}}, "event": "STOP", "data": {"n": ${n}}}\r\n`;
    for (let n = 0; n < 300; n++) {
      // One write per event, as QEMU writes them; every tenth split across two writes.
      if (n % 10 === 5) {
        const text = event(n);
        send(text.slice(0, 30));
        await new Promise((r) => setTimeout(r, 1));
        send(text.slice(30));
      } else send(event(n));
      if (n % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    const reply = await run(session, 'mid-storm');
    expect(reply.message).toMatchObject({ return: 'mid-storm' });
    await vi.waitFor(() => expect(events).toHaveLength(300));
    expect(events).toEqual(Array.from({ length: 300 }, (_, n) => n));
  });

  it('never answers pending commands when the peer goes away, and reconnects', async () => {
    let answered = 0;
    const peer = await fakeQemu(() => {});
    const session = new UpstreamSession(
      { name: 't', address: { kind: 'unix', path: peer.sock } },
      { initialBackoffMs: 10 },
    );
    cleanups.push(() => session.stop(), peer.close);
    session.start();
    await connected(session);
    session.send('execute', 'never', undefined, () => answered++);
    const states: string[] = [];
    session.onStatus((s) => states.push(s.state));
    const again = connected(session);
    peer.dropAll();
    await again;
    // Retries stay `disconnected`: the VM is not "connecting" again every few seconds.
    expect(states).toEqual(['disconnected', 'connected']);
    expect(answered).toBe(0);
    expect(session.inFlight).toBe(0);
  });

  it('reports a missing socket as disconnected with a reason naming it', async () => {
    const session = new UpstreamSession(
      { name: 't', address: { kind: 'unix', path: '/nonexistent/q.sock' } },
      { initialBackoffMs: 5, maxBackoffMs: 20 },
    );
    cleanups.push(() => session.stop());
    const lost = new Promise<void>((resolve) =>
      session.onStatus((s) => s.state === 'disconnected' && resolve()),
    );
    session.start();
    await lost;
    expect(session.status.error).toMatch(/unix:\/nonexistent\/q.sock: no such socket/);
  });

  it('retries with backoff while the VM stays unreachable, keeping the time it was lost', async () => {
    // A monitor that never finishes a greeting in time: every attempt is seen, and fails the same way.
    const peer = await startFakeQemu({ greeting: '{"QMP": {}}' });
    const session = new UpstreamSession(
      { name: 't', address: { kind: 'unix', path: peer.sock } },
      { greetingTimeoutMs: 1, initialBackoffMs: 5, maxBackoffMs: 20 },
    );
    cleanups.push(
      () => session.stop(),
      () => peer.close(),
    );
    session.start();
    await vi.waitFor(() => expect(peer.connections).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
    const lostAt = session.status.since.getTime();
    const seen = peer.connections;
    await vi.waitFor(() => expect(peer.connections).toBeGreaterThan(seen + 2), { timeout: 10_000 });
    expect(session.status).toMatchObject({ state: 'disconnected' });
    expect(session.status.since.getTime()).toBe(lostAt);
  });
});
