// A client's numbers reach QEMU and come back exactly as written, over the WebSocket and over
// --listen-qmp: ids of any JSON value (2^64-1, 1.0, -0, 1e3) are echoed byte for byte, and a u64 in the
// arguments is not rounded on its way to QEMU (QEMU's own reply shows what it stored).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { VmSummary } from '../../protocol/api.ts';
import { startTestConsole, type TestConsole } from '../test-support/console.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectRawQmp, type RawQmpSocket } from '../test-support/raw-qmp-socket.ts';
import { connectWsQmp, type WsQmpClient } from '../test-support/ws-qmp-client.ts';

process.env.QMP_CONSOLE_LOG ??= 'error';

const qemu = useQemu({ disks: [{ id: 'disk0' }] });
let socketDir: string;
let tc: TestConsole;
let sharedPath: string;

beforeAll(async () => {
  socketDir = mkdtempSync(path.join(os.tmpdir(), 'qmp-exact-'));
  sharedPath = path.join(socketDir, 'shared.qmp');
  tc = await startTestConsole({
    vms: { vm: qemu().qmpPath },
    args: ['--listen-qmp', `vm=unix:${sharedPath}`],
  });
  await vi.waitFor(async () => {
    const [vm] = (await (await tc.api('/api/vms')).json()) as VmSummary[];
    expect(vm?.state).toBe('connected');
  }, 10_000);
});
afterAll(async () => {
  await tc?.stop();
  rmSync(socketDir, { recursive: true, force: true });
});

/** Ids as a client may write them; each must come back as these very bytes. */
const IDS = [
  '18446744073709551615',
  '9007199254740993',
  '-9223372036854775808',
  '1.0',
  '-0',
  '1e3',
  '0.1',
  '{"n": 18446744073709551615, "s": "x"}',
  '[1.50, 2]',
];

interface Transport {
  /** Writes one request's text; resolves with the text of the next message the console sends back. */
  request(text: string): Promise<string>;
}

async function overWebSocket(): Promise<Transport & { client: WsQmpClient }> {
  const client = await connectWsQmp(tc.wsUrl('vm'), { headers: tc.authHeaders });
  await client.negotiate();
  return {
    client,
    async request(text) {
      const n = client.texts.length;
      client.sendRaw(text);
      await client.nth(n);
      return client.texts[n]!;
    },
  };
}

async function overListenQmp(): Promise<Transport & { socket: RawQmpSocket }> {
  const socket = await connectRawQmp(sharedPath);
  socket.write('{"execute":"qmp_capabilities"}\n');
  await socket.readUntil(1, (line) => line === '{"return": {}}');
  return {
    socket,
    async request(text) {
      const from = socket.lines.length;
      socket.write(`${text}\n`);
      return (await socket.readUntil(from, () => true))[0]!;
    },
  };
}

/** The node name QEMU gave disk0's format node (`-drive` makes one like `#block123`). */
async function diskNode(t: Transport): Promise<string> {
  const reply = JSON.parse(await t.request('{"execute":"query-block","id":"b"}')) as {
    return: { device: string; inserted?: { 'node-name': string } }[];
  };
  return reply.return.find((d) => d.device === 'disk0')!.inserted!['node-name'];
}

describe.each([
  ['the WebSocket', overWebSocket],
  ['--listen-qmp', overListenQmp],
])('over %s', (_name, connect) => {
  it('echoes every id exactly as written, on returns and errors', async () => {
    const t = await connect();
    for (const id of IDS) {
      expect(await t.request(`{"execute":"query-name","id":${id}}`)).toBe(`{"return": {}, "id": ${id}}`);
      expect(await t.request(`{"execute":"no-such-command","id":${id}}`)).toBe(
        `{"id": ${id}, "error": {"class": "CommandNotFound", "desc": "The command no-such-command has not been found"}}`,
      );
      // Answered by the console itself (arguments QEMU would refuse are refused here first).
      expect(await t.request(`{"execute":"query-name","arguments":[],"id":${id}}`)).toBe(
        `{"id": ${id}, "error": {"class": "GenericError", "desc": "QMP input member 'arguments' must be an object"}}`,
      );
    }
  });

  it("forwards a u64 argument unrounded: QEMU stores and reports the client's number", async () => {
    const t = await connect();
    const node = await diskNode(t);
    // QEMU reports the threshold as an int64: 2^64-1 comes back as -1, the others as written. Rounded
    // by a JS number, 2^64-1 would be past u64 (QEMU refuses it) and the others would change.
    const reported: [string, string][] = [
      ['9007199254740993', '9007199254740993'],
      ['9223372036854775807', '9223372036854775807'],
      ['18446744073709551615', '-1'],
    ];
    for (const [threshold, shown] of reported) {
      const set = await t.request(
        `{"execute":"block-set-write-threshold","arguments":{"node-name":"${node}","write-threshold":${threshold}},"id":"set"}`,
      );
      expect(set).toBe('{"return": {}, "id": "set"}');
      const nodes = await t.request(
        '{"execute":"query-named-block-nodes","arguments":{"flat":true},"id":"q"}',
      );
      expect(nodes).toContain(
        `"node-name": "${node}", "backing_file_depth": 0, "drv": "raw", "iops": 0, "bps_wr": 0, "write_threshold": ${shown},`,
      );
    }
    // An int-typed argument written as a float is QEMU's to refuse, as it would from its own socket.
    const refused = await t.request(
      `{"execute":"block-set-write-threshold","arguments":{"node-name":"${node}","write-threshold":1.0},"id":"f"}`,
    );
    expect(refused).toBe(
      `{"id": "f", "error": {"class": "GenericError", "desc": "Parameter 'write-threshold' expects uint64"}}`,
    );
  });
});
