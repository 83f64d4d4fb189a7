// Who may read GET /metrics, against the whole console in-process (its VM has no QEMU behind it).
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestConsole,
  TEST_TOKEN,
  TEST_VIEWER_TOKEN,
  type TestConsole,
} from '../test-support/console.ts';
import { connectWsQmp } from '../test-support/ws-qmp-client.ts';

const METRICS_TOKEN = 'test-metrics-token-0123456789';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

let tc: TestConsole;
const get = (pathname: string, headers: Record<string, string> = {}, init: RequestInit = {}) =>
  fetch(new URL(pathname, tc.url), { ...init, headers, redirect: 'manual' });

beforeAll(async () => {
  tc = await startTestConsole({
    vms: { vm1: path.join(os.tmpdir(), 'qmp-console-no-such-vm.sock') },
    args: ['--viewer-token', TEST_VIEWER_TOKEN, '--metrics-token', METRICS_TOKEN],
    start: { upstream: { initialBackoffMs: 60_000, maxBackoffMs: 60_000 } },
  });
});
afterAll(async () => {
  await tc.stop();
});

describe('GET /metrics access', () => {
  it('needs a token, and says so the way a scraper understands', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="qmp-console"');
    expect((await get('/metrics', bearer('wrong-token-0123456789'))).status).toBe(401);
  });

  it('opens to the metrics token, the operator and the viewer, in Prometheus text format', async () => {
    for (const token of [METRICS_TOKEN, TEST_TOKEN, TEST_VIEWER_TOKEN]) {
      const res = await get('/metrics', bearer(token));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await res.text()).toContain('qmp_vm_up{vm="vm1"} 0');
    }
  });

  it('gives the metrics token nothing else: no API, no QMP socket, no cookie', async () => {
    expect((await get('/api/vms', bearer(METRICS_TOKEN))).status).toBe(401);
    expect((await get(`/api/events?token=${METRICS_TOKEN}`)).status).toBe(401);
    const landing = await get(`/?token=${METRICS_TOKEN}`);
    expect(landing.status).toBe(401);
    expect(landing.headers.get('set-cookie')).toBeNull();
    await expect(connectWsQmp(tc.wsUrl('vm1'), { headers: bearer(METRICS_TOKEN) })).rejects.toThrow(
      'HTTP 401',
    );
  });

  it('keeps the Host check (DNS rebinding) and answers GET only', async () => {
    const url = new URL(tc.url);
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(
          {
            host: url.hostname,
            port: url.port,
            path: '/metrics',
            headers: { host: 'evil.example', ...bearer(METRICS_TOKEN) },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
        .on('error', reject);
    });
    expect(status).toBe(403);
    const res = await fetch(new URL('/metrics', tc.url), {
      headers: { ...bearer(METRICS_TOKEN) },
      method: 'POST',
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(new URL('/metrics', tc.url), { headers: bearer(METRICS_TOKEN), method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});
