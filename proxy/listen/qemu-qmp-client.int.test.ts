// What QEMU's own Python library `qemu.qmp` (behind qmp-shell) writes, byte for byte, through the
// console's `--listen-qmp` socket: compact JSON with no newline, oob requested, ids like `__qmp#00001`.
import { describe, expect, it } from 'vitest';
import { useListeningConsole } from '../test-support/listening-console.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectRawQmp } from '../test-support/raw-qmp-socket.ts';

// A disk that fails every read, first on ide.0: SeaBIOS reads it right after `cont`.
const qemu = useQemu({ disks: [{ id: 'bad0', fail: 'eio' }] });
const listening = useListeningConsole(qemu);

const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;

describe('a qemu.qmp client on the console socket', () => {
  it('negotiates oob, queries, sees RESUME, BLOCK_IO_ERROR and STOP after cont, and disconnects cleanly', async () => {
    const vm = listening.console().running.hub.get('vm')!;
    const before = vm.clientCount;
    const client = await connectRawQmp(listening.socketPath());
    expect(parse(client.lines[0]!)).toMatchObject({ QMP: { capabilities: ['oob'] } });

    client.write('{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}');
    expect(await client.readUntil(1, () => true)).toEqual(['{"return": {}}']);

    client.write('{"execute":"query-status","id":"__qmp#00001"}');
    const [status] = await client.readUntil(2, (l) => l.includes('__qmp#00001'));
    expect(parse(status!)).toEqual({
      return: { status: 'prelaunch', singlestep: false, running: false },
      id: '__qmp#00001',
    });

    client.write('{"execute":"cont","id":"__qmp#00002"}');
    const lines = await client.readUntil(3, (l) => l.includes('"event": "STOP"'));
    const messages = lines.map(parse);
    expect(messages).toContainEqual({ return: {}, id: '__qmp#00002' });
    const events = messages.filter((m) => 'event' in m);
    expect(events.map((e) => e.event)).toEqual(['RESUME', 'BLOCK_IO_ERROR', 'STOP']);
    expect(events[1]).toMatchObject({ data: { device: 'bad0', operation: 'read', action: 'stop' } });

    expect(await client.end()).toEqual({ hadError: false });
    while (vm.clientCount !== before) await new Promise((r) => setImmediate(r));
    expect(vm.clientCount).toBe(before);
  });
});
