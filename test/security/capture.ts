import { Writable } from 'node:stream';
import WebSocket from 'ws';
import type { Database } from '../../src/store/index.ts';
import type { TestTelemetry } from '../../src/telemetry/testing.ts';

/** Every line pino writes, kept in memory. */
export function captureLines() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, text: () => lines.join('\n'), count: () => lines.length };
}

/** Every row of every table, as one JSON text per table. */
export function dumpDatabase(db: Database): Record<string, string> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
    name: string;
  }[];
  return Object.fromEntries(
    tables.map(({ name }) => [name, JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())]),
  );
}

/** Spans (names, attributes, events, status), log records and every metric data point's attributes. */
export async function dumpTelemetry(telemetry: TestTelemetry) {
  const spans = JSON.stringify(
    telemetry.spans().map((span) => ({
      name: span.name,
      attributes: span.attributes,
      events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
      status: span.status,
    })),
  );
  const logs = JSON.stringify(telemetry.logRecords());
  const metrics = JSON.stringify(
    (await telemetry.collectMetrics()).map((metric) => ({
      name: metric.descriptor.name,
      points: metric.dataPoints.map((point) => point.attributes),
    })),
  );
  return { spans, logs, metrics };
}

/** Collects the raw frames of /ws/events until closed. */
export async function recordEvents(url: string, token: string) {
  const frames: string[] = [];
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/events?token=${encodeURIComponent(token)}`);
  socket.on('message', (data) => frames.push(data.toString()));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    frames,
    close: () => socket.close(),
  };
}
