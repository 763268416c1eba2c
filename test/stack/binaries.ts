import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { executable, type Requirement } from '../required-tools.ts';

/** The repository root, from this file's location. */
export const repoRoot = resolve(import.meta.dirname, '../..');

/** Where each native binary of the stack lives (Debian packages and the ocb build of otel-collector/). */
export const binaryPaths = {
  otelcol: process.env.OTELCOL_BIN ?? resolve(repoRoot, '.build/otelcol/otelcol-inferwatch'),
  prometheus: process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus',
  alertmanager: process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager',
  promtool: process.env.PROMTOOL_BIN ?? '/usr/bin/promtool',
  amtool: process.env.AMTOOL_BIN ?? '/usr/bin/amtool',
  redisServer: process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server',
} as const;

export type BinaryName = keyof typeof binaryPaths;

/** How to get each binary when it is missing: both are what scripts/setup.sh does. */
const installHints: Record<BinaryName, string> = {
  otelcol: 'bash otel-collector/build.sh',
  prometheus: 'apt-get install prometheus',
  alertmanager: 'apt-get install prometheus-alertmanager',
  promtool: 'apt-get install prometheus',
  amtool: 'apt-get install prometheus-alertmanager',
  redisServer: 'apt-get install redis-server',
};

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Each binary as a requirement for requireTools(): locally a skip with the reason, under CI a failure. */
export function binaryRequirements(
  names: readonly BinaryName[] = Object.keys(binaryPaths) as BinaryName[],
): Requirement[] {
  return names.map((name) => executable(name, binaryPaths[name], `run \`${installHints[name]}\``));
}

/** Names of the missing binaries with the command that installs each; empty when all are there. */
export function missingBinaries(names: readonly BinaryName[] = Object.keys(binaryPaths) as BinaryName[]) {
  return names
    .filter((name) => !isExecutable(binaryPaths[name]))
    .map((name) => `${name} (${binaryPaths[name]}): run \`${installHints[name]}\``);
}
