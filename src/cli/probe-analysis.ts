import { analyzeOnce, probeRunGroup } from '../analyzer/index.ts';
import type { Config } from '../config/index.ts';
import { createTelemetry } from '../telemetry/index.ts';
import type { AnalyzeRun } from './probe-command.ts';

/**
 * `probe --once --analyze`: the run's failing targets become one alert group, explained and notified by
 * the analyzer's own pipeline (rules, then the LLM when analyzer.llm is set). Wired here so the prober and
 * the analyzer stay independent of each other.
 */
export const analyzeProbeRun: AnalyzeRun = async (config, records, { notify, write }) => {
  const group = probeRunGroup(records, {
    externalURL: `http://${config.server.host}:${config.server.port}`,
  });
  if (!group) return undefined;
  return analyzeOnce({ config, group, notify, write, telemetry: createTelemetry() });
};

export const describeAnalyzer = (config: Config) =>
  config.analyzer.llm
    ? `the LLM (${config.analyzer.llm.model} at ${new URL(config.analyzer.llm.baseURL).host})`
    : 'the rules (set analyzer.llm for an LLM explanation)';
