import { type Config, loadConfig } from '../config/index.ts';
import { createEventBus } from '../events/index.ts';
import { silentLogger } from '../log/index.ts';
import { type ProbeTarget, resolveTargets } from '../prober/probe-targets.ts';
import { createProber } from '../prober/prober.ts';
import type { ProbeRecord } from '../prober/record.ts';
import { formatRunHead, formatRunTail, type RunAnalysis, runReportJson } from '../prober/report.ts';
import { createTelemetry } from '../telemetry/index.ts';
import { type Command, listenOptions, UsageError } from './options.ts';

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

/** What a target checks, for the report: its URL without query or credentials, or the model it asks. */
function endpointOf(target: ProbeTarget): string {
  if (target.check.kind === 'model')
    return `model ${target.check.spec.model} @ ${target.check.spec.providerName}`;
  try {
    const url = new URL(target.check.spec.url);
    return `${url.origin}${url.pathname}`;
  } catch {
    return target.name;
  }
}

/** Explains a run's failures and notifies (the analyzer, wired in by the CLI); undefined when all are up. */
export type AnalyzeRun = (
  config: Config,
  records: readonly ProbeRecord[],
  options: { notify: boolean; write: (line: string) => void },
) => Promise<RunAnalysis | undefined>;

export interface ProbeOnceOptions {
  json: boolean;
  /** Explain the failures (and notify) through the analyzer: the OXLO agent's report. */
  analyze?: { run: AnalyzeRun; notify: boolean; describe: (config: Config) => string } | undefined;
  out?: (line: string) => void;
  now?: () => number;
}

/**
 * `probe --once`: every target once, in parallel up to prober.concurrency. One failure is enough to call a
 * target down here (thresholds need history a single run does not have). Exit 1 when any target is down.
 * With `analyze`, the failures are explained (and notified) and the report is the OXLO agent's.
 */
export async function probeOnce(file: string | undefined, options: ProbeOnceOptions): Promise<number> {
  const { json, analyze, out = console.log, now = Date.now } = options;
  const { config } = loadConfig({ file });
  const selfURL = () => `http://${config.server.host}:${config.server.port}`;
  const targets = resolveTargets(config, selfURL).map((target) => ({ ...target, failureThreshold: 1 }));
  const region = config.prober.region ?? config.telemetry.region ?? 'local';
  const prober = createProber({
    targets,
    region,
    instruments: createTelemetry().instruments,
    logger: silentLogger,
    bus: createEventBus(),
    concurrency: config.prober.concurrency,
  });
  let records: ProbeRecord[];
  try {
    records = await prober.runAll();
  } finally {
    await prober.stop();
  }
  const code = records.some((record) => record.state === 'down') ? 1 : 0;
  if (!analyze) {
    out(json ? JSON.stringify(records, null, 2) : formatTable(records));
    return code;
  }
  const head = {
    checkedAt: new Date(now()),
    region,
    records,
    endpoints: new Map(targets.map((target) => [target.name, endpointOf(target)])),
  };
  // The endpoints first, then what the analysis (and a console notifier) says; with --json, one
  // document, and a console notifier writes to stderr so it cannot break it.
  if (!json) out(formatRunHead(head));
  const write = (line: string) => (json ? process.stderr : process.stdout).write(line);
  const analysis = await analyze.run(config, records, { notify: analyze.notify, write });
  const report = { ...head, analyzer: analyze.describe(config), analysis, notify: analyze.notify };
  out(json ? runReportJson(report) : formatRunTail(report));
  return code;
}

export interface ProbeCommandDeps {
  /** The analyzer's one-shot run; without it --analyze and --notify are refused. */
  analyze?: AnalyzeRun | undefined;
  describeAnalyzer?: (config: Config) => string;
}

export function createProbeCommand(deps: ProbeCommandDeps = {}): Command {
  const usage =
    'inferwatch probe [--config FILE] [--once [--json] [--analyze] [--notify]] [--schedule [--analyze] [--notify]] [--port N] [--host ADDRESS]';
  return {
    summary:
      'Run the synthetic prober (with the operator API); --once runs every check once and exits (--analyze explains failures, --notify sends them)',
    usage,
    options: {
      once: {
        type: 'boolean',
        description: 'run every check once, print the results and exit (1 when a target is down)',
        defaultText: 'off: serve the prober and its API until stopped',
      },
      json: {
        type: 'boolean',
        description: 'with --once: print the results as JSON',
        defaultText: 'a table',
      },
      analyze: {
        type: 'boolean',
        description: "explain the run's failures through the analyzer pipeline",
        defaultText: 'off',
      },
      notify: {
        type: 'boolean',
        description: "send the analysis through the config's notifiers (implies --analyze)",
        defaultText: 'off',
      },
      schedule: {
        type: 'boolean',
        description: 'serve the scheduled prober (with --analyze: and the analyzer) until stopped',
        defaultText: 'on unless --once',
      },
      ...listenOptions,
    },
    async run(values) {
      const file = values.config as string | undefined;
      // --notify sends the analysis, so it implies --analyze.
      const analyzing = values.analyze === true || values.notify === true;
      // A flag combination that cannot work is a usage error: one line, exit code 2.
      const refuse = (message: string): never => {
        throw new UsageError(message);
      };
      if (values.once && values.schedule) return refuse('--once and --schedule cannot be combined.');
      if (values.once) {
        if (analyzing && !deps.analyze) return refuse('--analyze is not available in this build.');
        return probeOnce(file, {
          json: values.json === true,
          analyze:
            analyzing && deps.analyze
              ? {
                  run: deps.analyze,
                  notify: values.notify === true,
                  describe: deps.describeAnalyzer ?? (() => 'the analyzer'),
                }
              : undefined,
        });
      }
      if (values.json) return refuse('--json needs --once.');
      // Imported lazily: serving starts the telemetry SDK, which --once does not need.
      const { serve, stopOnSignals } = await import('./serve.ts');
      // --schedule is the OXLO agent's loop: our scheduled prober, plus the analyzer (explaining probe
      // state changes and notifying) when analysis is asked for.
      return stopOnSignals(
        await serve('probe', {
          file,
          port: values.port as number | undefined,
          host: values.host as string | undefined,
          ...(analyzing ? { components: ['prober', 'analyzer', 'api'] as const } : {}),
        }),
      );
    },
  };
}
