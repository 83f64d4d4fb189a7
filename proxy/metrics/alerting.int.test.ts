// A failing disk pages someone: a real QEMU whose disk fails reads, behind a real console, scraped by
// Debian's Prometheus (1 s scrape and evaluation, the shipped rules) which notifies Debian's Alertmanager
// (the shipped routing example) which calls a webhook this test runs.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, type TestConsole } from '../test-support/console.ts';
import {
  type MonitoringServer,
  startAlertmanager,
  startPrometheus,
  startWebhookReceiver,
  type WebhookNotification,
  type WebhookReceiver,
} from '../test-support/monitoring.ts';
import { bootQemu, type TestQemu } from '../test-support/qemu.ts';
import { connectWsQmp } from '../test-support/ws-qmp-client.ts';

const DEPLOY = path.join(import.meta.dirname, '../../deploy');
const METRICS_TOKEN = 'test-metrics-token-for-prometheus-01';

let qemu: TestQemu;
let tc: TestConsole;
let pager: WebhookReceiver;
let alertmanager: MonitoringServer;
let prometheus: MonitoringServer;

beforeAll(async () => {
  qemu = await bootQemu({ disks: [{ id: 'bad0', fail: 'eio' }] });
  tc = await startTestConsole({ vms: { vm1: qemu.qmpPath }, args: ['--metrics-token', METRICS_TOKEN] });
  pager = await startWebhookReceiver();
  const routing = (await readFile(path.join(DEPLOY, 'alertmanager/alertmanager.yml'), 'utf8')).replace(
    'http://127.0.0.1:5001/qmp-alerts',
    pager.url,
  );
  alertmanager = await startAlertmanager(routing);
  const consoleAddress = new URL(tc.url).host;
  prometheus = await startPrometheus(`
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ${JSON.stringify(path.join(DEPLOY, 'prometheus/qmp-console.rules.yml'))}
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:${alertmanager.port}']
scrape_configs:
  - job_name: qmp-console
    authorization:
      credentials: ${METRICS_TOKEN}
    static_configs:
      - targets: ['${consoleAddress}']
`);
});

afterAll(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  await pager?.stop();
  await tc?.stop();
  await qemu?.dispose();
});

const firing = (name: string) => (n: WebhookNotification) =>
  n.status === 'firing' && n.alerts.some((a) => a.labels.alertname === name && a.status === 'firing');

describe('a failing disk pages someone', () => {
  it('QmpBlockIoError fires in Prometheus and reaches the webhook through Alertmanager, naming the disk', async () => {
    const client = await connectWsQmp(tc.wsUrl('vm1'), { headers: tc.authHeaders });
    await client.negotiate();
    const paged = pager.waitFor(firing('QmpBlockIoError'));
    expect(await client.execute('cont')).toMatchObject({ return: {} });
    const error = await client.waitFor((m) => m.event === 'BLOCK_IO_ERROR');
    const node = (error.data as { 'node-name': string })['node-name'];

    const notification = await paged;
    const alert = notification.alerts.find((a) => a.labels.alertname === 'QmpBlockIoError')!;
    expect(notification.receiver).toBe('qmp-webhook');
    expect(alert.labels).toMatchObject({
      severity: 'critical',
      job: 'qmp-console',
      vm: 'vm1',
      device: 'bad0',
      node,
      operation: 'read',
      cause: 'EIO',
    });
    expect(alert.annotations.summary).toBe('VM vm1: read error on disk bad0 (EIO)');

    // Alertmanager was told by Prometheus: the alert is firing there.
    const res = await fetch(`${prometheus.url}/api/v1/alerts`);
    const body = (await res.json()) as {
      data: { alerts: { labels: Record<string, string>; state: string }[] };
    };
    expect(body.data.alerts).toContainEqual(
      expect.objectContaining({
        state: 'firing',
        labels: expect.objectContaining({ alertname: 'QmpBlockIoError', vm: 'vm1', device: 'bad0', node }),
      }),
    );
    client.close();
  });
});
