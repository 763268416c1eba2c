import { demoCommand } from '../gateway/demo.ts';
import { createProbeCommand } from '../prober/command.ts';
import { simulateCommand } from '../simulator/command.ts';
import type { Command } from './options.ts';
import { analyzeProbeRun, describeAnalyzer } from './probe-analysis.ts';

/**
 * Commands contributed by features: `probe` (prober), `simulate` (simulator), `demo`.
 * Each feature adds its entry here; the table keeps `inferwatch --help` complete.
 */
export const featureCommands: Record<string, Command> = {
  probe: createProbeCommand({ analyze: analyzeProbeRun, describeAnalyzer }),
  simulate: simulateCommand,
  demo: demoCommand,
};
