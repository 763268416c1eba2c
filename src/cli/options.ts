import { parseArgs } from 'node:util';

/** A wrong command line: printed as one line with exit code 2, never as a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionValue = string | number | boolean | undefined;

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** What it does, one line in `--help`. */
  description: string;
  /** What applies when the option is absent, as `--help` shows it. */
  defaultText?: string;
  /** The value's placeholder in `--help` (`--port N`). */
  valueName?: string;
  /** Turns the raw text into the value `run` receives; throws a UsageError naming what is expected. */
  parse?: (raw: string, flag: string) => OptionValue;
}

export type OptionsSpec = Record<string, OptionSpec>;

export interface Command {
  summary: string;
  usage: string;
  options: OptionsSpec;
  /** True for commands that read no config file (`simulate`): --config is then not offered. */
  noConfig?: boolean;
  /** The one positional argument the command accepts, if any (`check-config FILE`). */
  positional?: { name: string; description: string };
  run(values: Record<string, OptionValue>, positionals: string[]): Promise<number | undefined>;
}

export const commonOptions = {
  config: {
    type: 'string',
    short: 'c',
    valueName: 'FILE',
    description: 'YAML config file (${VAR} reads the environment)',
    defaultText: 'the embedded defaults: two simulated providers, or OpenAI when OPENAI_API_KEY is set',
  },
  help: { type: 'boolean', short: 'h', description: 'show this help and exit' },
} as const satisfies OptionsSpec;

/** An integer port; 0 asks the system for a free one. */
export function portValue(raw: string, flag: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65_535)
    throw new UsageError(`${flag} must be an integer from 0 to 65535, got "${raw}"`);
  return Number(raw);
}

/** A non-negative number of seconds (or milliseconds, or tokens per second): `0` is allowed. */
export function nonNegativeValue(raw: string, flag: string): number {
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new UsageError(`${flag} must be a number of 0 or more, got "${raw}"`);
  return Number(raw);
}

/** A non-empty string without control characters (host names, addresses). */
export function hostValue(raw: string, flag: string): string {
  if (!/^[^\s\p{Cc}]{1,253}$/u.test(raw)) throw new UsageError(`${flag} must be a host name or address`);
  return raw;
}

/** The flags every serving command shares: they win over server.host/port from the config. */
export const listenOptions = {
  port: {
    type: 'string',
    short: 'p',
    valueName: 'N',
    description: 'port to listen on; wins over server.port and INFERWATCH_PORT',
    defaultText: 'server.port from the config, 8080',
    parse: portValue,
  },
  host: {
    type: 'string',
    valueName: 'ADDRESS',
    description: 'address to bind (0.0.0.0 in containers); wins over server.host and INFERWATCH_HOST',
    defaultText: 'server.host from the config, 127.0.0.1',
    parse: hostValue,
  },
} as const satisfies OptionsSpec;

const flagName = (name: string) => `--${name}`;

const optionsOf = (command: Command): OptionsSpec => ({
  ...(command.noConfig ? { help: commonOptions.help } : commonOptions),
  ...command.options,
});

/**
 * Parses one command's flags strictly (an unknown flag is an error, not a silent no-op) and checks each
 * value with its option's parser, so a command's `run` only ever sees valid values.
 */
export function parseCommand(command: Command, argv: string[]) {
  const specs = optionsOf(command);
  const parseArgsOptions = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      spec.short ? { type: spec.type, short: spec.short } : { type: spec.type },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: parseArgsOptions, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(describeParseError(error as Error & { code?: string }, argv));
  }
  const values: Record<string, OptionValue> = {};
  for (const [name, raw] of Object.entries(parsed.values)) {
    const spec = specs[name];
    if (typeof raw === 'string' && spec?.parse) values[name] = spec.parse(raw, flagName(name));
    else values[name] = raw as OptionValue;
  }
  const limit = command.positional ? 1 : 0;
  if (parsed.positionals.length > limit) {
    const extra = parsed.positionals[limit];
    throw new UsageError(`unexpected argument "${extra}"`);
  }
  return { values, positionals: parsed.positionals };
}

/** Node's parseArgs messages are long and suggest `--` tricks; say the one thing that is wrong. */
function describeParseError(error: Error & { code?: string }, argv: string[]): string {
  const option = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1] ?? /(--?[\w-]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? argv.find((arg) => arg.startsWith('-')) ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const long = /--([\w-]+)/.exec(error.message)?.[1];
      return long ? `--${long} needs a value` : error.message;
    }
    default:
      return error.message.split('\n')[0] ?? 'invalid arguments';
  }
}

/** `--help` for one command: every option with what it does and its default. */
export function commandHelp(name: string, command: Command): string {
  const specs = optionsOf(command);
  const rows = Object.entries(specs).map(([flag, spec]) => {
    const value = spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : '';
    const left = `${spec.short ? `-${spec.short}, ` : '    '}--${flag}${value}`;
    const right = spec.defaultText ? `${spec.description} (default: ${spec.defaultText})` : spec.description;
    return [left, right] as const;
  });
  const arg = command.positional;
  const argRows = arg ? [[`    ${arg.name}`, arg.description] as const] : [];
  const width = Math.max(...[...rows, ...argRows].map(([left]) => left.length)) + 2;
  const format = ([left, right]: readonly [string, string]) => `  ${left.padEnd(width)}${right}`;
  return [
    command.summary,
    '',
    `Usage: ${command.usage.replace('{name}', name)}`,
    ...(arg ? ['', 'Arguments:', ...argRows.map(format)] : []),
    '',
    'Options:',
    ...rows.map(format),
  ].join('\n');
}
