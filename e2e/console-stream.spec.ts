// The start page lives on the console's own state: no QMP WebSocket, and a run-state change arrives on
// the console stream without a reload.
import { connectWsQmp } from '../proxy/test-support/ws-qmp-client.ts';
import { expect, test } from './support/fixtures.ts';

test('the VM list opens no WebSocket and follows a VM from prelaunch to io-error live', async ({
  page,
  vmConsole,
}) => {
  const c = await vmConsole({ demo: { disks: [{ id: 'bad0', fail: 'eio' }, { id: 'disk0' }] } });
  const webSockets: string[] = [];
  page.on('websocket', (ws) => webSockets.push(ws.url()));
  await c.open(page, '/');
  await expect(page).toHaveURL(/\/$/);

  const demoCard = page
    .getByRole('list', { name: 'Virtual machines' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('link', { name: 'demo', exact: true }) });
  await expect(demoCard.getByText('prelaunch', { exact: true })).toBeVisible();

  // Resume it from outside the page, through the console's own QMP socket: SeaBIOS reads the failing
  // disk and QEMU stops the VM (STOP, then the console's run state is io-error).
  const qmp = await connectWsQmp(c.console.wsUrl('demo'), { headers: c.console.authHeaders });
  try {
    await qmp.negotiate();
    await qmp.execute('cont');
    await qmp.waitFor((m) => m.event === 'STOP', 30_000);
    await expect(demoCard.getByText('io-error', { exact: true })).toBeVisible();
  } finally {
    qmp.close();
  }
  expect(webSockets).toEqual([]);
});
