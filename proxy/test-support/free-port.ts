// Servers a test starts (nats-server, Prometheus, Alertmanager, websockify) take their port on the
// command line, so the kernel's choice for port 0 is asked for first.
import net, { type AddressInfo } from 'node:net';

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
