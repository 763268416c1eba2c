import { ConfigError, loadConfig } from '../config/index.ts';
import type { Role } from '../runtime/index.ts';
import type { Command } from './options.ts';
import { serve, stopOnSignals } from './serve.ts';

const serveRole = (role: Role, summary: string): Command => ({
  summary,
  usage: `inferwatch ${role} [--config FILE]`,
  options: {},
  async run(values) {
    const serving = await serve(role, values.config as string | undefined);
    return stopOnSignals(serving);
  },
});

export const checkConfig: Command = {
  summary: 'Validate a config file (or the embedded defaults) and print the result',
  usage: 'inferwatch check-config [--config FILE]',
  options: {},
  async run(values) {
    try {
      const { source, config } = loadConfig({ file: values.config as string | undefined });
      console.log(
        `config OK (${source}): ${config.providers.length} providers, ${config.routes.length} routes, ${config.prober.targets.length} probe targets, ${config.analyzer.notify.length} notifiers`,
      );
      return 0;
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(error.message);
        return 2;
      }
      throw error;
    }
  },
};

/** Command name → implementation. Feature commands (probe --once, simulate, demo) register in their folders. */
export const baseCommands = {
  start: serveRole(
    'start',
    'Run every role in one process: gateway, prober, analyzer, API (the embedded default)',
  ),
  gateway: serveRole('gateway', 'Run the OpenAI-compatible gateway and the operator API'),
  analyzer: serveRole('analyzer', 'Run the Alertmanager webhook receiver and notifier'),
  'check-config': checkConfig,
} satisfies Record<string, Command>;
