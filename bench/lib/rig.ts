// What sections 1–3 and 5 share: one QEMU (a failing disk on ide.0, a second monitor), the fake QMP
// server, the console in front of both, and websockify and the bare bridge in front of each.
//
// The console holds QEMU's first monitor for good; direct, websockify and bridge clients take turns on
// the second one (a monitor serves one client at a time; two monitors of one QEMU are independent).
import { connectConsole, connectUnix, connectWsBytes, negotiate, type QmpLink } from './links.ts';
import { type BenchQemu, bootBenchQemu } from './qemu.ts';
import {
  type ConsoleProcess,
  freePort,
  startByteBridge,
  startConsoleProcess,
  startFakeQmp,
  startWebsockify,
  type WsServer,
  waitConsoleConnected,
} from './servers.ts';

export const PATHS = ['direct', 'console', 'websockify', 'bridge'] as const;
export type PathName = (typeof PATHS)[number];

export interface Rig {
  vm: BenchQemu;
  /** Two more monitors of the same QEMU on TCP: QEMU's default (Nagle on) and `nodelay=on`. */
  tcpPorts: { nagle: number; nodelay: number };
  console: ConsoleProcess;
  /** A negotiated client on `path`, to the VM (`qemu`) or to the fake server (`fake`). */
  open(path: PathName, backend?: 'qemu' | 'fake'): Promise<QmpLink>;
  stop(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    const tcpPorts = { nagle: await freePort(), nodelay: await freePort() };
    const vm = await bootBenchQemu({
      name: 'bench',
      disks: [{ id: 'bad0', fail: 'eio' }],
      secondMonitor: true,
      extraArgs: [
        '-qmp',
        `tcp:127.0.0.1:${tcpPorts.nagle},server=on,wait=off`,
        '-qmp',
        `tcp:127.0.0.1:${tcpPorts.nodelay},server=on,wait=off,nodelay=on`,
      ],
    });
    stops.push(() => vm.dispose());
    const fake = await startFakeQmp();
    stops.push(() => fake.stop());
    const console = await startConsoleProcess({ vm: vm.qmpPath, fake: fake.socketPath }, [
      '--max-clients-per-vm',
      '200',
      '--max-clients',
      '400',
    ]);
    stops.push(() => console.stop());
    const servers: Record<'websockify' | 'bridge', Record<'qemu' | 'fake', WsServer>> = {
      websockify: {
        qemu: await startWebsockify(vm.secondMonitorPath!),
        fake: await startWebsockify(fake.socketPath),
      },
      bridge: {
        qemu: await startByteBridge(vm.secondMonitorPath!),
        fake: await startByteBridge(fake.socketPath),
      },
    };
    for (const s of Object.values(servers).flatMap((x) => Object.values(x))) stops.push(() => s.stop());
    await waitConsoleConnected(console, ['vm', 'fake']);

    const open = async (path: PathName, backend: 'qemu' | 'fake' = 'qemu'): Promise<QmpLink> => {
      const link =
        path === 'direct'
          ? await connectUnix(backend === 'qemu' ? vm.secondMonitorPath! : fake.socketPath, path)
          : path === 'console'
            ? await connectConsole(console.wsUrl(backend === 'qemu' ? 'vm' : 'fake'), console.headers, path)
            : await connectWsBytes(servers[path][backend].url, path);
      await negotiate(link);
      return link;
    };
    return { vm, tcpPorts, console, open, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
