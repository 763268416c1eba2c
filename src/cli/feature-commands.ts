import { demoCommand } from '../gateway/demo.ts';
import { probeCommand } from '../prober/command.ts';
import { simulateCommand } from '../simulator/command.ts';
import type { Command } from './options.ts';

/**
 * Commands contributed by features: `probe` (prober), `simulate` (simulator), `demo`.
 * Each feature adds its entry here; the table keeps `inferwatch --help` complete.
 */
export const featureCommands: Record<string, Command> = {
  probe: probeCommand,
  simulate: simulateCommand,
  demo: demoCommand,
};
