import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';
import { type Embedded, startEmbedded } from '../contract/embedded.ts';
import { captureLines, dumpDatabase, dumpTelemetry, recordEvents } from './capture.ts';

/**
 * Plants secrets and a recognizable prompt, drives every kind of traffic, then greps what leaves the
 * request: pino output, telemetry (spans, log records, metric attributes), every SQLite row and the
 * WebSocket events. Secrets must never appear; the prompt only on spans, and only with captureContent.
 */
const secrets = {
  gatewayKey: 'gw-key-PLANTED-4c1d9e',
  providerKey: 'sk-provider-PLANTED-8b2f77',
  webhookToken: 'wh-token-PLANTED-19aa03',
  notifierSecret: 'hmac-secret-PLANTED-5e6f01',
};
const prompt = 'PROMPT-PLANTED-zebra-quartz-31415';
const answer = 'ANSWER-PLANTED-walrus';

let server: Embedded | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  await server?.stop();
  await receiver?.close();
  server = undefined;
  receiver = undefined;
});

/** The outbound notification webhook's receiver: every request's headers and body, kept as text. */
async function startReceiver() {
  const received: string[] = [];
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      received.push(JSON.stringify({ headers: req.headers, body }));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise<void>((done) => http.close(() => done())),
  };
}

async function driveTraffic(captureContent: boolean) {
  const telemetry = createTestTelemetry({ captureContent });
  const log = captureLines();
  receiver = await startReceiver();
  const hook = receiver;
  server = await startEmbedded({
    overrides: {
      server: { apiKeys: [secrets.gatewayKey] },
      analyzer: {
        webhookToken: secrets.webhookToken,
        notify: [{ type: 'webhook', url: receiver.url, secret: secrets.notifierSecret }],
      },
      telemetry: { captureContent },
      log: { level: 'trace' },
    },
    configure: (tree) => {
      tree.providers = (tree.providers as Record<string, unknown>[]).map((provider) => ({
        ...provider,
        apiKey: secrets.providerKey,
      }));
    },
    logger: createLogger({ level: 'trace', destination: log.stream }),
    telemetry,
  });
  const { url } = server;
  const events = await recordEvents(url, secrets.gatewayKey);
  const headers = { authorization: `Bearer ${secrets.gatewayKey}`, 'content-type': 'application/json' };
  const chat = (body: Record<string, unknown>) =>
    fetch(`${url}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify(body) }).then((r) =>
      r.text(),
    );
  const messages = [
    { role: 'system', content: prompt },
    { role: 'user', content: `Reply with exactly: ${answer}` },
  ];
  const echoed = [{ role: 'user', content: prompt }];

  expect(await chat({ model: 'sim-small', messages })).toContain(answer);
  expect(await chat({ model: 'sim-small', messages, stream: true })).toContain('[DONE]');
  // Failing paths carry the most detail into incidents and logs: a cut stream, a 500 with failover, a
  // malformed echo that repeats the prompt back inside the broken chunk.
  await chat({ model: 'sim-echo+fault-cut-after-2', messages: echoed, stream: true });
  await chat({ model: 'sim-echo+fault-malformed', messages: echoed, stream: true });
  await chat({ model: 'sim-echo+fault-500', messages: echoed });
  await chat({ model: 'sim-echo+fault-context-length', messages: echoed });
  const apiChat = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ messages }),
  });
  expect(apiChat.status).toBe(200);
  // A wrong key and a wrong webhook token must not be echoed either.
  await fetch(`${url}/api/incidents`, { headers: { authorization: `Bearer ${secrets.gatewayKey}-wrong` } });
  const webhook = await fetch(`${url}/api/alertmanager`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secrets.webhookToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      groupKey: 'security-test',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'GatewayErrorRateHigh', provider: 'sim-primary' },
          startsAt: '2026-01-01T00:00:00Z',
          fingerprint: 'sec1',
        },
      ],
    }),
  });
  expect(webhook.status).toBe(202);
  const probe = await fetch(`${url}/api/probes/sim-primary-chat/run`, { method: 'POST', headers });
  expect(probe.status).toBe(200);
  await fetch(`${url}/api/providers/sim-backup/probe`, { method: 'POST', headers });
  await expect
    .poll(async () => {
      const list = await fetch(`${url}/api/analyses`, { headers }).then((r) => r.json());
      return (list as { data: unknown[] }).data.length;
    })
    .toBeGreaterThan(0);
  await expect.poll(() => events.frames.some((frame) => frame.includes('"incident"'))).toBe(true);
  await expect.poll(() => hook.received.length, { timeout: 10_000 }).toBeGreaterThan(0);
  // The secret signs the delivery (HMAC-SHA256 over `${timestamp}.${body}`) without travelling with it.
  const delivery = JSON.parse(hook.received[0] as string) as {
    headers: Record<string, string>;
    body: string;
  };
  const timestamp = delivery.headers['x-inferwatch-timestamp'];
  const expected = createHmac('sha256', secrets.notifierSecret)
    .update(`${timestamp}.${delivery.body}`)
    .digest('hex');
  expect(delivery.headers['x-inferwatch-signature']).toBe(`sha256=${expected}`);
  events.close();

  const rows = dumpDatabase(server.runtime.context.db);
  // Shutdown logs count too (components report what they flush).
  await server.stop();
  server = undefined;
  const telemetryOut = await dumpTelemetry(telemetry);
  const outputs: Record<string, string> = {
    logs: log.text(),
    spans: telemetryOut.spans,
    otelLogRecords: telemetryOut.logs,
    metricAttributes: telemetryOut.metrics,
    websocket: events.frames.join('\n'),
    notificationWebhook: hook.received.join('\n'),
    ...Object.fromEntries(Object.entries(rows).map(([table, rows]) => [`db:${table}`, rows])),
  };
  // The harness captured something real in each place (a grep over nothing proves nothing).
  expect(log.count()).toBeGreaterThan(0);
  expect(telemetryOut.spans.length).toBeGreaterThan(100);
  expect(outputs['db:incidents']?.length).toBeGreaterThan(10);
  expect(outputs['db:probe_results']?.length).toBeGreaterThan(10);
  expect(outputs['db:analyzer_analyses']?.length).toBeGreaterThan(10);
  expect(outputs['db:analyzer_outbox']?.length).toBeGreaterThan(10);
  expect(events.frames.length).toBeGreaterThan(0);
  return outputs;
}

const containing = (outputs: Record<string, string>, needle: string) =>
  Object.entries(outputs)
    .filter(([, text]) => text.includes(needle))
    .map(([where]) => where);

describe('planted secrets and prompts', () => {
  it('neither secrets nor the prompt leave the request when content capture is off', async () => {
    const outputs = await driveTraffic(false);
    for (const secret of Object.values(secrets)) expect(containing(outputs, secret), secret).toEqual([]);
    expect(containing(outputs, prompt)).toEqual([]);
    expect(containing(outputs, answer)).toEqual([]);
  });

  it('with captureContent on, the prompt appears on spans only and secrets still nowhere', async () => {
    const outputs = await driveTraffic(true);
    for (const secret of Object.values(secrets)) expect(containing(outputs, secret), secret).toEqual([]);
    expect(containing(outputs, prompt)).toEqual(['spans']);
  });
});
