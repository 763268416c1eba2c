import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log/index.ts';

export interface CapturedLog {
  logger: Logger;
  lines: () => Record<string, unknown>[];
  /** The messages of the lines at `level` (warn, info, ...). */
  messages: (level?: string) => string[];
  text: () => string;
}

/** A real pino logger whose JSON lines are kept for the test to read. */
export function captureLog(level = 'debug'): CapturedLog {
  let buffer = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      buffer += chunk.toString();
      done();
    },
  });
  const lines = () =>
    buffer
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    logger: createLogger({ level, destination }),
    lines,
    messages: (wanted) =>
      lines()
        .filter((line) => wanted === undefined || line.level === wanted)
        .map((line) => String(line.msg)),
    text: () => buffer,
  };
}
