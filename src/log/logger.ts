import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks before a line is written. Prompts and keys must never reach logs, whatever a caller
 * passes by mistake (SECURITY.md): this list is the backstop, not the policy.
 */
export const redactedPaths = [
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'secret',
  '*.secret',
  'webhookToken',
  '*.webhookToken',
  'webhookURL',
  '*.webhookURL',
  'routingKey',
  '*.routingKey',
  'password',
  '*.password',
  'messages',
  '*.messages',
  'prompt',
  '*.prompt',
  'content',
  '*.content',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; tests pass a stream to read them back. Defaults to stdout. */
  destination?: NodeJS.WritableStream;
  base?: Record<string, unknown>;
}

export function createLogger({ level = 'info', destination, base = {} }: LoggerOptions = {}): Logger {
  const options = {
    level,
    base: { service: 'inferwatch', ...base },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that drops everything; the default for factories used in tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
