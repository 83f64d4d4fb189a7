// `--listen-qmp` reads and answers the bytes a client writes exactly as QEMU's own monitor does: the same
// input goes to the console's socket and to a second monitor of the same real QEMU, and the lines must
// match byte for byte.
import { describe, expect, it } from 'vitest';
import { useListeningConsole } from '../test-support/listening-console.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectRawQmp, type RawQmpSocket } from '../test-support/raw-qmp-socket.ts';

const qemu = useQemu({ secondMonitor: true });
const listening = useListeningConsole(qemu);

const NEGOTIATE = '{"execute":"qmp_capabilities"}\n';
const END = '{"execute":"query-name","id":"end"}\n';
const isEnd = (line: string): boolean => line.endsWith('"id": "end"}');

/** Writes each chunk in turn (as separate writes), then a marker command; returns the lines before it. */
async function answers(client: RawQmpSocket, chunks: (string | Buffer)[]): Promise<string[]> {
  const from = client.lines.length;
  for (const chunk of chunks) client.write(chunk);
  client.write(END);
  return (await client.readUntil(from, isEnd)).slice(0, -1);
}

async function negotiated(where: string): Promise<RawQmpSocket> {
  const client = await connectRawQmp(where);
  client.write(NEGOTIATE);
  await client.readUntil(1, (line) => line === '{"return": {}}');
  return client;
}

describe('the console socket answers as QEMU does', () => {
  const cases: [string, (string | Buffer)[]][] = [
    [
      'two commands on one line',
      ['{"execute":"query-status","id":"s1"} {"execute":"query-name","id":"s2"}\n'],
    ],
    ['one command across two lines and writes', ['{"execute":"query-status",', '\n', '"id":"m1"}\n']],
    ['a bad keyword', ['{"execute":"query-status", bad json}\n']],
    [
      'qmp_capabilities with an unknown capability after negotiation',
      ['{"execute":"qmp_capabilities","arguments":{"enable":["foo"]}}\n'],
    ],
    ['qmp_capabilities again', ['{"execute":"qmp_capabilities","arguments":{"enable":["oob"]},"id":3}']],
    ['qmp_capabilities with a number', ['{"execute":"qmp_capabilities","arguments":{"enable":[1]},"id":4}']],
    [
      'no whitespace at all between commands',
      ['{"execute":"query-status","id":1}{"execute":"query-name","id":2}'],
    ],
    ['stray characters, then a command', ['@ {"execute":"query-name","id":"after-stray"}\n']],
    ['a bad number', ['{"execute":"query-status","id":1,"x":01}\n']],
    ['an unfinished fraction', ['{"execute":"query-status","id":1,"x":1.}\n']],
    ['a control character in a string', ['{"execute":"query-status","id":"a\tb"}\n']],
    ['structural errors', ['{"a" 1}{"a":1 2}[1 2]{1:2}{"a":}]\n']],
    ['a duplicate key', ['{"execute":"query-status","execute":"query-name"}\n']],
    ['a bad escape', ['{"execute":"query-status","id":"b\\x"}\n']],
    ['a lone surrogate escape', ['{"execute":"query-status","id":"\\ud800"}\n']],
    ['single-quoted strings', ["{'execute':'query-status','id':'a\\'b'}\n"]],
    ['bad UTF-8 in a string', [Buffer.from('{"execute":"query-status","id":"\xc3"}\n', 'latin1')]],
    ['scalars', ['123 "s" true\n']],
    ['a member QMP does not know', ['{"execute":"query-status","id":7,"foo":1}\n']],
    [
      'nesting past 1024, then what follows as new input',
      [`${'['.repeat(1025)}{"execute":"query-name","id":"inner"}\n`],
    ],
  ];

  it.each(cases)('%s', async (_name, chunks) => {
    const [viaConsole, viaQemu] = await Promise.all([
      negotiated(listening.socketPath()),
      negotiated(qemu().secondMonitorPath!),
    ]);
    try {
      const [got, want] = await Promise.all([answers(viaConsole, chunks), answers(viaQemu, chunks)]);
      expect(want.length).toBeGreaterThan(0);
      expect(got).toEqual(want);
    } finally {
      viaConsole.destroy();
      viaQemu.destroy();
    }
  });

  it('negotiates and answers with no newline anywhere, as qemu.qmp writes', async () => {
    const run = async (where: string): Promise<string[]> => {
      const client = await connectRawQmp(where);
      try {
        client.write('{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}');
        const negotiation = await client.readUntil(1, () => true);
        client.write('{"execute":"query-name","id":"__qmp#00001"}');
        const reply = await client.readUntil(2, () => true);
        return [client.lines[0]!, ...negotiation, ...reply];
      } finally {
        client.destroy();
      }
    };
    const [got, want] = await Promise.all([run(listening.socketPath()), run(qemu().secondMonitorPath!)]);
    expect(want.slice(1)).toEqual(['{"return": {}}', '{"return": {}, "id": "__qmp#00001"}']);
    expect(got).toEqual(want);
  });
});
