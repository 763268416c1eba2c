import { readFileSync } from 'node:fs';

/** The package version, read once at start-up (service.version and inferwatch_build_info). */
export const version: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
