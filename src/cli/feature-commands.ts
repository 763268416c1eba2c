import { demoCommand } from './demo.ts';
import type { Command } from './options.ts';
import { analyzeProbeRun, describeAnalyzer } from './probe-analysis.ts';
import { createProbeCommand } from './probe-command.ts';
import { simulateCommand } from './simulate-command.ts';

/**
 * Commands contributed by features: `probe` (prober), `simulate` (simulator), `demo`.
 * Each feature adds its entry here; the table keeps `inferwatch --help` complete.
 */
export const featureCommands: Record<string, Command> = {
  probe: createProbeCommand({ analyze: analyzeProbeRun, describeAnalyzer }),
  simulate: simulateCommand,
  demo: demoCommand,
};
