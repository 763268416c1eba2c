import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricReader } from '@opentelemetry/sdk-metrics';
import { toPrometheusText } from './prometheus-text.ts';

/** A reader that aggregates cumulatively and hands its metrics out only when scraped. */
class ScrapeReader extends MetricReader {
  protected override onForceFlush = async () => {};
  protected override onShutdown = async () => {};
}

export interface PrometheusEndpoint {
  reader: MetricReader;
  /** Resolves to http://host:port/metrics once bound; rejects when the port cannot be bound. */
  listening: Promise<string>;
  close(): Promise<void>;
}

/**
 * `GET /metrics` on its own port, for a Prometheus that scrapes (a ServiceMonitor or PodMonitor in
 * Kubernetes) rather than receiving OTLP through a Collector. Its own port keeps it out of the API's
 * key check and off the gateway's listener; bind it to an address only the scraper reaches.
 */
export function startPrometheusEndpoint(
  { host, port }: { host: string; port: number },
  onError: (error: unknown) => void = () => {},
): PrometheusEndpoint {
  const reader = new ScrapeReader();
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics is served here.\n');
      return;
    }
    reader.collect({ timeoutMillis: 5_000 }).then(
      ({ resourceMetrics }) => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(toPrometheusText(resourceMetrics));
      },
      (error: unknown) => {
        onError(error);
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
      },
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const listening = new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${shownHost}:${address.port}/metrics`);
    });
  });
  // The caller awaits `listening`; this keeps an unawaited failure from crashing the process.
  listening.catch(() => {});
  return {
    reader,
    listening,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
