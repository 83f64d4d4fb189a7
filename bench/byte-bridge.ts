// A bare WebSocket ↔ unix-socket byte bridge: the least any WebSocket front for QMP has to do, as a
// reference for the console. Prints `listening PORT`. Usage: byte-bridge.ts SOCKET_PATH
import net, { type AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

const target = process.argv[2];
if (!target) throw new Error('usage: byte-bridge.ts SOCKET_PATH');
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => {
  const socket = net.connect(target);
  ws.on('message', (data: Buffer) => socket.write(data));
  socket.on('data', (chunk) => ws.send(chunk, { binary: true }));
  ws.on('close', () => socket.destroy());
  socket.on('close', () => ws.close());
  ws.on('error', () => socket.destroy());
  socket.on('error', () => ws.close());
});
wss.on('listening', () => process.stdout.write(`listening ${(wss.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => process.exit(0));
