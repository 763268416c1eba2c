import { ConfigError } from '../config/index.ts';
import { version } from '../version.ts';
import { baseCommands } from './commands.ts';
import { featureCommands } from './feature-commands.ts';
import { listenFailure } from './listen-failure.ts';
import { type Command, commandHelp, parseCommand, UsageError } from './options.ts';

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
  // Own properties only: `inferwatch constructor` is an unknown command, not Object's constructor.
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    console.error(`inferwatch: unknown command "${name}" (run \`inferwatch --help\` for the list)`);
    return 2;
  }
  try {
    const parsed = parseCommand(command, rest);
    if (parsed.values.help) {
      console.log(commandHelp(name, command));
      return 0;
    }
    return (await command.run(parsed.values, parsed.positionals)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`inferwatch ${name}: ${error.message} (see \`inferwatch ${name} --help\`)`);
      return 2;
    }
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    const listen = listenFailure(error);
    if (listen) {
      console.error(`inferwatch ${name}: ${listen}`);
      return 1;
    }
    throw error;
  }
}
