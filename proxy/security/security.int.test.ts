// Issue 4's proofs against a real QEMU: what a client may not run never reaches QEMU, as QEMU's own
// second monitor shows (state unchanged, no events), and every limit holds.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../../protocol/api.ts';
import type { CommandRecord } from '../../protocol/journal.ts';
import type { JsonObject, QmpEvent } from '../../protocol/qmp.ts';
import {
  startTestConsole,
  TEST_TOKEN,
  TEST_VIEWER_TOKEN,
  type TestConsole,
} from '../test-support/console.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectQmp, type QmpSocketClient } from '../test-support/qmp-socket-client.ts';
import { connectWsQmp, type WsQmpClient } from '../test-support/ws-qmp-client.ts';

process.env.QMP_CONSOLE_LOG ??= 'error';

// Paused (-S): status `prelaunch`. A `cont` that got through would make it `running` and emit RESUME.
const qemu = useQemu({ secondMonitor: true });
let monitor2: QmpSocketClient;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

beforeAll(async () => {
  monitor2 = await connectQmp(qemu().secondMonitorPath!);
  await monitor2.negotiate();
});
afterAll(async () => {
  await monitor2?.close();
});

/** QEMU's own view, from the second monitor: QMP and HMP both. */
async function groundTruth(): Promise<{ status: unknown; hmp: unknown; events: string[] }> {
  const status = ((await monitor2.call('query-status')) as JsonObject).status;
  const hmp = await monitor2.call('human-monitor-command', { 'command-line': 'info status' });
  return { status, hmp, events: monitor2.events.map((e: QmpEvent) => e.event) };
}

const untouched = { status: 'prelaunch', hmp: 'VM status: paused (prelaunch)\r\n', events: [] };

/** One console at a time: QEMU's monitor serves one client, so each describe starts and stops its own. */
function useConsole(args: string[], onCommand?: (r: CommandRecord) => void): () => TestConsole {
  let tc: TestConsole | null = null;
  beforeAll(async () => {
    tc = await startTestConsole({
      vms: { vm: qemu().qmpPath },
      args,
      start: { upstream: { initialBackoffMs: 20, maxBackoffMs: 200 }, ...(onCommand ? { onCommand } : {}) },
    });
    await vi.waitFor(async () => {
      const [vm] = (await (await tc!.api('/api/vms')).json()) as { state: string }[];
      expect(vm?.state).toBe('connected');
    }, 10_000);
  });
  afterAll(async () => {
    await tc?.stop();
  });
  return () => tc!;
}

async function client(tc: TestConsole, token: string): Promise<WsQmpClient> {
  const c = await connectWsQmp(tc.wsUrl('vm'), { headers: bearer(token) });
  await c.negotiate();
  return c;
}

describe('roles and policy', () => {
  const records: CommandRecord[] = [];
  const console_ = useConsole(
    ['--viewer-token', TEST_VIEWER_TOKEN, '--deny', 'quit', '--deny', 'migrate*', '--deny', 'system_*'],
    (r) => records.push(r),
  );

  it("runs a viewer's query-status", async () => {
    const viewer = await client(console_(), TEST_VIEWER_TOKEN);
    expect(await viewer.execute('query-status', undefined, 1)).toEqual({
      return: { status: 'prelaunch', singlestep: false, running: false },
      id: 1,
    });
    expect(await viewer.execute('qom-list', { path: '/' }, 2)).toMatchObject({
      id: 2,
      return: expect.any(Array),
    });
    viewer.close();
  });

  it("answers a viewer's stop, cont, human-monitor-command and qom-get with the policy error; QEMU never runs them", async () => {
    const viewer = await client(console_(), TEST_VIEWER_TOKEN);
    const tries: [string, JsonObject | undefined][] = [
      ['stop', undefined],
      ['cont', undefined],
      ['human-monitor-command', { 'command-line': 'cont' }],
      ['qom-get', { path: '/machine', property: 'type' }],
      ['x-query-profile', undefined],
    ];
    for (const [i, [command, args]] of tries.entries()) {
      expect(await viewer.execute(command, args, { n: i })).toEqual({
        id: { n: i },
        error: { class: 'GenericError', desc: `QMP Console policy denies '${command}' to the viewer role` },
      });
    }
    // exec-oob is no way around it either.
    viewer.ws.close();
    const oob = await connectWsQmp(console_().wsUrl('vm'), { headers: bearer(TEST_VIEWER_TOKEN) });
    await oob.nth(0);
    oob.send({ execute: 'qmp_capabilities', arguments: { enable: ['oob'] }, id: 'n' });
    await oob.waitFor((m) => m.id === 'n');
    oob.send({ 'exec-oob': 'stop', id: 'o' });
    expect(await oob.waitFor((m) => m.id === 'o')).toMatchObject({ error: { class: 'GenericError' } });
    oob.close();
    expect(await groundTruth()).toEqual(untouched);
  });

  it('applies --deny to the operator too, and the operator may run the rest', async () => {
    const op = await client(console_(), TEST_TOKEN);
    for (const command of ['quit', 'migrate', 'migrate-set-parameters', 'system_reset', 'system_powerdown'])
      expect(await op.execute(command, undefined, command)).toMatchObject({
        id: command,
        error: {
          class: 'GenericError',
          desc: expect.stringMatching(/^QMP Console policy denies .* to every role \(--deny '/),
        },
      });
    expect(await op.execute('query-migrate', undefined, 'qm')).toMatchObject({ id: 'qm', return: {} });
    // QEMU is alive and untouched: `quit` and `system_reset` never arrived.
    expect(await groundTruth()).toEqual(untouched);
    // The operator's human-monitor-command does run (full control is the operator's).
    expect(await op.execute('human-monitor-command', { 'command-line': 'info status' }, 'h')).toEqual({
      return: 'VM status: paused (prelaunch)\r\n',
      id: 'h',
    });
    op.close();
  });

  it('never runs a second command smuggled in one frame', async () => {
    const op = await client(console_(), TEST_TOKEN);
    const frames = [
      '{"execute":"query-status","id":1}{"execute":"cont","id":2}',
      '{"execute":"query-status","id":3}\n{"execute":"cont","id":4}',
      '{"execute":"query-status","id":5}\r\n{"execute":"cont","id":6}\r\n',
      '{"execute":"query-status","id":7} {"execute":"cont","id":8}',
      // QEMU's nesting limit resets its parser mid-message, so this would run the inner cont (see below).
      `{"execute":"query-status","arguments":{"x":${'['.repeat(1023)}{"execute":"cont","id":9}${']'.repeat(1023)}},"id":10}`,
      `{"execute":"query-status","arguments":{"x":"\\ud800"},"id":11}`,
    ];
    for (const frame of frames) op.sendRaw(frame);
    op.send({ execute: 'query-status', id: 'after' });
    await op.waitFor((m) => m.id === 'after');
    const replies = op.messages.slice(2);
    expect(replies.filter((m) => 'return' in m && m.id !== 'after')).toEqual([]);
    expect(replies.slice(0, 4)).toEqual(
      Array(4).fill({ error: { class: 'GenericError', desc: expect.stringMatching(/^JSON parse error/) } }),
    );
    expect(replies[4]).toEqual({
      id: 10,
      error: { class: 'GenericError', desc: 'JSON nesting depth limit exceeded' },
    });
    expect(replies[5]).toMatchObject({ id: 11, error: { class: 'GenericError' } });
    expect(await groundTruth()).toEqual(untouched);
    // Every command got an answer: nothing left waiting in the proxy for a reply that never comes.
    expect(console_().running.hub.get('vm')!.upstream.inFlight).toBe(0);
    op.close();
  });

  it('audits every command with time, VM, role, client address, command, argument names and outcome; never values', async () => {
    records.length = 0;
    // The refusals of earlier tests are summarised; the one below starts a window of its own.
    console_().running.refusals.flush();
    // Their summary lines are written a turn later (the audit log waits one): before the capture starts.
    await new Promise((resolve) => setImmediate(resolve));
    const lines: string[] = [];
    const saved = process.env.QMP_CONSOLE_LOG;
    process.env.QMP_CONSOLE_LOG = 'info';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const viewer = await client(console_(), TEST_VIEWER_TOKEN);
      await viewer.execute('query-status', undefined, 'a');
      await viewer.execute('human-monitor-command', { 'command-line': 'SECRET-VALUE-1' }, 'b');
      viewer.close();
      const op = await client(console_(), TEST_TOKEN);
      await op.execute('qom-get', { path: '/machine', property: 'SECRET-VALUE-2' }, 'c');
      await op.execute('no-such-command', { password: 'SECRET-VALUE-3' }, 'd');
      op.close();
    } finally {
      spy.mockRestore();
      process.env.QMP_CONSOLE_LOG = saved;
    }
    expect(records.map((r) => [r.command, r.context.role, r.argumentNames, r.outcome, r.errorClass])).toEqual(
      [
        ['query-status', 'viewer', [], 'ok', undefined],
        ['human-monitor-command', 'viewer', ['command-line'], 'denied', 'GenericError'],
        ['qom-get', 'operator', ['path', 'property'], 'error', 'GenericError'],
        ['no-such-command', 'operator', ['password'], 'error', 'CommandNotFound'],
      ],
    );
    const audit = lines.filter((l) => l.includes('"msg":"command"')).map((l) => JSON.parse(l));
    expect(audit).toHaveLength(4);
    expect(audit[1]).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      level: 'info',
      msg: 'command',
      vm: 'vm',
      role: 'viewer',
      client: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      command: 'human-monitor-command',
      args: ['command-line'],
      outcome: 'denied',
      errorClass: 'GenericError',
      refusal: 'viewer',
    });
    expect(lines.join('')).not.toMatch(/SECRET-VALUE/);
  });
});

describe('--read-only', () => {
  const console_ = useConsole(['--read-only']);

  it('makes the operator token a viewer: queries run, nothing else reaches QEMU', async () => {
    const op = await client(console_(), TEST_TOKEN);
    expect(await op.execute('query-status', undefined, 1)).toMatchObject({ return: { status: 'prelaunch' } });
    expect(await op.execute('cont', undefined, 2)).toEqual({
      id: 2,
      error: { class: 'GenericError', desc: "QMP Console policy denies 'cont' to the viewer role" },
    });
    const session = await (await console_().api('/api/session')).json();
    expect(session).toMatchObject({ role: 'viewer', policy: { readOnly: true } });
    op.close();
    expect(await groundTruth()).toEqual(untouched);
  });
});

describe('limits', () => {
  const console_ = useConsole([
    '--max-frame-bytes',
    '4096',
    '--max-in-flight',
    '2',
    '--max-bytes-in-flight',
    '3000',
    '--max-clients-per-vm',
    '2',
  ]);

  it('closes a client that sends a frame over --max-frame-bytes with 1009', async () => {
    const c = await client(console_(), TEST_TOKEN);
    c.sendRaw(JSON.stringify({ execute: 'query-status', id: 'x'.repeat(5000) }));
    expect((await c.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);
  });

  it('answers a frame just under the limit', async () => {
    const c = await client(console_(), TEST_TOKEN);
    const id = 'y'.repeat(4000);
    expect(await c.execute('query-status', undefined, id)).toMatchObject({
      id,
      return: { status: 'prelaunch' },
    });
    c.close();
  });

  it('closes a client that sends a binary frame with 1003', async () => {
    const c = await client(console_(), TEST_TOKEN);
    c.sendRaw(Buffer.from('{"execute":"query-status"}'), true);
    expect((await c.closed).code).toBe(CloseCode.UNSUPPORTED_DATA);
  });

  it('closes a client that sends invalid UTF-8 in a text frame with 1007', async () => {
    const c = await client(console_(), TEST_TOKEN);
    c.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await c.closed).code).toBe(1007);
  });

  it('answers commands past --max-in-flight with an error, and the rest normally', async () => {
    const c = await client(console_(), TEST_TOKEN);
    // Sent in one go: QEMU cannot have answered the first before the third arrives.
    for (const id of [1, 2, 3]) c.send({ execute: 'query-qmp-schema', id });
    const third = await c.waitFor((m) => m.id === 3);
    expect(third).toEqual({
      id: 3,
      error: { class: 'GenericError', desc: 'QMP Console: more than 2 commands in flight from this client' },
    });
    for (const id of [1, 2]) expect(await c.waitFor((m) => m.id === id)).toHaveProperty('return');
    expect(await c.execute('query-status', undefined, 4)).toHaveProperty('return');
    c.close();
  });

  it('answers commands past --max-bytes-in-flight with an error; one command of any size always goes', async () => {
    const c = await client(console_(), TEST_TOKEN);
    const pad = 'p'.repeat(2000);
    // QEMU reads each of these for ~20 ms (then refuses the unknown argument): the second finds the first in flight.
    c.send({ execute: 'query-status', arguments: { pad }, id: 'a' });
    c.send({ execute: 'query-status', arguments: { pad }, id: 'b' });
    expect(await c.waitFor((m) => m.id === 'b')).toEqual({
      id: 'b',
      error: {
        class: 'GenericError',
        desc: 'QMP Console: more than 3000 bytes of commands in flight from this client',
      },
    });
    expect(await c.waitFor((m) => m.id === 'a')).toMatchObject({
      error: { desc: "Parameter 'pad' is unexpected" },
    });
    expect(await c.execute('query-status', undefined, 'c')).toHaveProperty('return');
    c.close();
  });

  it('refuses a client past --max-clients-per-vm with 503 before the upgrade', async () => {
    const a = await client(console_(), TEST_TOKEN);
    const b = await client(console_(), TEST_TOKEN);
    await expect(connectWsQmp(console_().wsUrl('vm'), { headers: bearer(TEST_TOKEN) })).rejects.toThrow(
      /HTTP 503/,
    );
    a.close();
    await a.closed;
    await vi.waitFor(() => expect(console_().running.hub.clientCount).toBe(1));
    const c = await client(console_(), TEST_TOKEN);
    expect(await c.execute('query-status', undefined, 1)).toHaveProperty('return');
    b.close();
    c.close();
  });
});

describe('--max-clients and the default frame limit', () => {
  const console_ = useConsole(['--max-clients', '1']);

  it('refuses a second client with 503', async () => {
    const a = await client(console_(), TEST_TOKEN);
    await expect(connectWsQmp(console_().wsUrl('vm'), { headers: bearer(TEST_TOKEN) })).rejects.toThrow(
      /HTTP 503/,
    );
    a.close();
    await a.closed;
  });

  it('takes a frame of 1 MiB and closes one byte over with 1009', async () => {
    await vi.waitFor(() => expect(console_().running.hub.clientCount).toBe(0));
    const c = await client(console_(), TEST_TOKEN);
    // An unexpected member: answered by the proxy (QEMU reads 1 MiB slowly, about 9 s).
    const frame = (n: number) => {
      const head = '{"execute":"query-status","id":"big","x":"';
      return `${head}${'z'.repeat(n - head.length - 2)}"}`;
    };
    c.sendRaw(frame(1024 * 1024));
    expect(await c.waitFor((m) => m.id === 'big')).toMatchObject({
      error: { desc: "QMP input member 'x' is unexpected" },
    });
    c.sendRaw(frame(1024 * 1024 + 1));
    expect((await c.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);
  });
});

describe('why the nesting guard exists', () => {
  it('QEMU 7.2 itself runs a command nested 1024 deep inside another (the proxy must never forward one)', async () => {
    const { bootQemu } = await import('../test-support/qemu.ts');
    const other = await bootQemu({});
    try {
      const socket = net.connect(other.qmpPath);
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => {
        text += d;
      });
      socket.write('{"execute":"qmp_capabilities"}\n');
      socket.write(
        `{"execute":"query-status","arguments":{"x":${'['.repeat(1023)}{"execute":"cont","id":"SMUGGLED"}${']'.repeat(1023)}},"id":1}\n`,
      );
      socket.write('{"execute":"query-status","id":"check"}\n');
      await vi.waitFor(() => expect(text).toContain('"id": "check"'), 10_000);
      socket.destroy();
      expect(text).toContain('"event": "RESUME"');
      expect(text).toContain('{"return": {}, "id": "SMUGGLED"}');
    } finally {
      await other.dispose();
    }
  });
});

describe('the CLI', () => {
  it('refuses to start on a non-loopback address without auth, with one clear line', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'proxy/main.ts',
        '--no-auth',
        '--listen',
        '0.0.0.0:0',
        '--target',
        'vm=unix:/nonexistent',
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^qmp-console: --no-auth needs a loopback --listen address .*"0\.0\.0\.0".*\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
