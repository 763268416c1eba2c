import { loadConfig } from '../config/index.ts';
import type { Role } from '../runtime/index.ts';
import { type Command, listenOptions } from './options.ts';
import { plural } from './plural.ts';
import { serve, stopOnSignals } from './serve.ts';

const serveRole = (role: Role, summary: string): Command => ({
  summary,
  usage: `inferwatch ${role} [--config FILE] [--port N] [--host ADDRESS]`,
  options: listenOptions,
  async run(values) {
    const serving = await serve(role, {
      file: values.config as string | undefined,
      port: values.port as number | undefined,
      host: values.host as string | undefined,
    });
    return stopOnSignals(serving);
  },
});

export const checkConfig: Command = {
  summary: 'Validate a config file (or the embedded defaults) and print the result',
  usage: 'inferwatch check-config [FILE | --config FILE]',
  options: {},
  positional: { name: 'FILE', description: 'the YAML config to check (the same as --config FILE)' },
  async run(values, positionals) {
    const file = (values.config as string | undefined) ?? positionals[0];
    const { source, config, notes } = loadConfig({ file });
    const counts = [
      plural(config.providers.length, 'provider'),
      plural(config.routes.length, 'route'),
      plural(config.prober.targets.length, 'probe target'),
      plural(config.analyzer.notify.length, 'notifier'),
    ];
    console.log(`config OK (${source}): ${counts.join(', ')}`);
    for (const note of notes) console.log(`  note: ${note}`);
    return 0;
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
