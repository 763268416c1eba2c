import { type ParseArgsConfig, parseArgs } from 'node:util';

type OptionsSpec = NonNullable<ParseArgsConfig['options']>;

export const commonOptions = {
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionsSpec;

export interface Command {
  summary: string;
  usage: string;
  options: OptionsSpec;
  run(
    values: Record<string, string | boolean | undefined>,
    positionals: string[],
  ): Promise<number | undefined>;
}

/** Parses one command's flags strictly: an unknown flag is an error, not a silent no-op. */
export function parseCommand(command: Command, argv: string[]) {
  return parseArgs({
    args: argv,
    options: { ...commonOptions, ...command.options },
    allowPositionals: true,
    strict: true,
  });
}
