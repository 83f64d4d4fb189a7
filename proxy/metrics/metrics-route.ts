// `GET /metrics`: the Prometheus text exposition of the console's registry.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http/send-json.ts';
import { log } from '../log.ts';
import type { ConsoleMetrics } from './console-metrics.ts';

export const METRICS_PATH = '/metrics';

export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createMetricsHandler(metrics: ConsoleMetrics): MetricsHandler {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendJson(res, 405, { error: `${METRICS_PATH} answers GET only` });
    }
    metrics.render().then(
      (text) => {
        res.writeHead(200, {
          'content-type': metrics.contentType,
          'content-length': Buffer.byteLength(text),
          'cache-control': 'no-store',
        });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        log.error('metrics failed', { error: String(err) });
        if (!res.headersSent) sendJson(res, 500, { error: 'the metrics could not be collected' });
      },
    );
  };
}
