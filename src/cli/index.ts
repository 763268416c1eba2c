import { ConfigError } from '../config/index.ts';
import { version } from '../version.ts';
import { baseCommands } from './commands.ts';
import { featureCommands } from './feature-commands.ts';
import { type Command, parseCommand } from './options.ts';

const commands: Record<string, Command> = { ...baseCommands, ...featureCommands };

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(
    ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
  );
  return [
    `inferwatch ${version} — OpenTelemetry-native reliability layer for LLM inference`,
    '',
    'Usage: inferwatch <command> [--config FILE] [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run `inferwatch <command> --help` for a command's options. Without --config, embedded defaults apply.",
  ].join('\n');
}

function commandHelp(name: string, command: Command): string {
  const flags = Object.entries({
    config: { type: 'string' },
    help: { type: 'boolean' },
    ...command.options,
  }).map(([flag, spec]) => `  --${flag}${(spec as { type: string }).type === 'string' ? ' VALUE' : ''}`);
  return [`${command.summary}`, '', `Usage: ${command.usage}`, '', 'Options:', ...flags]
    .join('\n')
    .replace('{name}', name);
}

/** Runs the CLI; returns the exit code (commands that serve resolve when they stop). */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(version);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let parsed: ReturnType<typeof parseCommand>;
  try {
    parsed = parseCommand(command, rest);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${commandHelp(name, command)}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(commandHelp(name, command));
    return 0;
  }
  try {
    return (await command.run(parsed.values, parsed.positionals)) ?? 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}
