import type { Command } from '../cli/options.ts';
import { loadConfig } from '../config/index.ts';
import { createEventBus } from '../events/index.ts';
import { silentLogger } from '../log/index.ts';
import { createTelemetry } from '../telemetry/index.ts';
import { createProber } from './prober.ts';
import type { ProbeRecord } from './record.ts';
import { resolveTargets } from './targets.ts';

const ms = (value: number | undefined) => (value === undefined ? '-' : `${Math.round(value)} ms`);

export function formatTable(records: readonly ProbeRecord[]): string {
  const header = ['TARGET', 'KIND', 'STATE', 'LATENCY', 'TTFT', 'STATUS', 'ERROR'];
  const rows = records.map((r) => [
    r.target,
    r.kind,
    r.state,
    ms(r.durationMs),
    ms(r.ttftMs),
    r.statusCode === undefined ? '-' : String(r.statusCode),
    r.errorType ?? '-',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * `probe --once`: every target once, in parallel up to prober.concurrency. One failure is enough to call a
 * target down here (thresholds need history a single run does not have). Exit 1 when any target is down.
 */
export async function probeOnce(file: string | undefined, json: boolean, out = console.log): Promise<number> {
  const { config } = loadConfig({ file });
  const selfURL = () => `http://${config.server.host}:${config.server.port}`;
  const targets = resolveTargets(config, selfURL).map((target) => ({ ...target, failureThreshold: 1 }));
  const prober = createProber({
    targets,
    region: config.prober.region ?? config.telemetry.region ?? 'unknown',
    instruments: createTelemetry().instruments,
    logger: silentLogger,
    bus: createEventBus(),
    concurrency: config.prober.concurrency,
  });
  try {
    const records = await prober.runAll();
    out(json ? JSON.stringify(records, null, 2) : formatTable(records));
    return records.some((record) => record.state === 'down') ? 1 : 0;
  } finally {
    await prober.stop();
  }
}

export const probeCommand: Command = {
  summary: 'Run the synthetic prober (with the operator API); --once runs every check once and exits',
  usage: 'inferwatch probe [--config FILE] [--once [--json]]',
  options: { once: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(values) {
    const file = values.config as string | undefined;
    if (values.once) return probeOnce(file, values.json === true);
    // Imported lazily: serving starts the telemetry SDK, which --once does not need.
    const { serve, stopOnSignals } = await import('../cli/serve.ts');
    return stopOnSignals(await serve('probe', file));
  },
};
