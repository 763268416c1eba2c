export { createLogger, type Logger, type LoggerOptions, redactedPaths, silentLogger } from './logger.ts';
export { redactSecrets } from './redact.ts';
