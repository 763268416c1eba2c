import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedWebhook {
  authorization: string | undefined;
  body: {
    version: string;
    status: string;
    groupLabels: Record<string, string>;
    alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
  };
}

export interface WebhookRecorder {
  url: string;
  received: RecordedWebhook[];
  close(): Promise<void>;
}

/**
 * A stand-in for the analyzer's webhook that records what Alertmanager posts (payload v4), for stack
 * tests that must not depend on the analyzer.
 */
export async function startWebhookRecorder(path = '/api/alertmanager'): Promise<WebhookRecorder> {
  const received: RecordedWebhook[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === path) {
        received.push({
          authorization: request.headers.authorization,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        response.writeHead(202).end();
      } else {
        response.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
