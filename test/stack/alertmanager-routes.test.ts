import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { requireTools } from '../required-tools.ts';
import { binaryPaths, binaryRequirements, repoRoot } from './binaries.ts';
import { configFiles, ruleFiles } from './configs.ts';

const run = promisify(execFile);
const ready = requireTools(binaryRequirements(['amtool']));
const scratch = mkdtempSync(join(tmpdir(), 'inferwatch-routes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface AlertRule {
  alert: string;
  labels?: Record<string, string>;
}
const alertRules: AlertRule[] = ruleFiles().flatMap((file) =>
  parse(readFileSync(file, 'utf8')).groups.flatMap((group: { rules: AlertRule[] }) =>
    group.rules.filter((rule) => rule.alert),
  ),
);
const committed = readFileSync(configFiles.alertmanager, 'utf8');
const config = parse(committed);

/** The receivers `amtool config routes test` picks for a label set, in route order. */
async function receiversFor(labels: Record<string, string>, file = configFiles.alertmanager) {
  const args = ['config', 'routes', 'test', `--config.file=${file}`];
  const { stdout } = await run(binaryPaths.amtool, [
    ...args,
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  ]);
  return stdout.trim().split(',');
}

describe.skipIf(!ready)('alerts/alertmanager.yml routes (amtool config routes test)', () => {
  it.each(alertRules.filter((rule) => rule.alert !== 'InferwatchWatchdog').map((rule) => [rule.alert, rule]))(
    '%s pages the on-call receiver directly, then copies the analyzer',
    async (alertname, rule) => {
      const labels = {
        alertname,
        ...(rule as AlertRule).labels,
        inferwatch_provider_name: 'openai',
        cloud_region: 'eu',
      };
      expect(await receiversFor(labels)).toEqual(['oncall', 'inferwatch-analyzer']);
    },
  );

  it('an alert of nobody we know (no severity, foreign labels) still reaches a person first', async () => {
    expect(await receiversFor({ alertname: 'SomethingElse', team: 'x' })).toEqual([
      'oncall',
      'inferwatch-analyzer',
    ]);
  });

  it('the Watchdog goes to the dead man’s switch and nowhere else', async () => {
    expect(await receiversFor({ alertname: 'InferwatchWatchdog', severity: 'none' })).toEqual([
      'deadmans-switch',
    ]);
  });

  it.each(['opsgenie', 'slack'])('the commented %s example is a working on-call receiver', async (name) => {
    const block = committed.match(new RegExp(`# example: ${name}\\n([\\s\\S]*?)\\n\\s*# end example`))?.[1];
    expect(block, `alerts/alertmanager.yml has a "# example: ${name}" block`).toBeTruthy();
    const uncommented = (block as string)
      .split('\n')
      .map((line) => line.replace(/^(\s*)# ?/, '$1'))
      .join('\n');
    const example = structuredClone(config);
    example.templates = (example.templates as string[]).map((glob) => join(repoRoot, 'alerts', glob));
    const oncall = example.receivers.find((receiver: { name: string }) => receiver.name === 'oncall');
    delete oncall.pagerduty_configs;
    Object.assign(oncall, parse(uncommented.replace(/^ {4}/gm, '')));
    const file = join(scratch, `${name}.yml`);
    writeFileSync(file, stringify(example));
    const { stdout } = await run(binaryPaths.amtool, ['check-config', file]);
    expect(stdout).toContain('SUCCESS');
    expect(Object.keys(oncall)).toContain(`${name}_configs`);
    expect(
      await receiversFor({ alertname: 'InferwatchProbeDownMultiRegion', severity: 'critical' }, file),
    ).toEqual(['oncall', 'inferwatch-analyzer']);
  });
});

describe('the paging path in alerts/alertmanager.yml', () => {
  it('the on-call route and the analyzer route have identical matchers, so both see the same group key', () => {
    const [, page, copy] = config.route.routes as {
      matchers?: string[];
      receiver: string;
      continue?: boolean;
    }[];
    expect(page).toMatchObject({ receiver: 'oncall', continue: true });
    expect(copy?.receiver).toBe('inferwatch-analyzer');
    expect(page?.matchers ?? []).toEqual(copy?.matchers ?? []);
  });

  it('no inhibition rule can silence the Watchdog', () => {
    const watchdog: Record<string, string> = { alertname: 'InferwatchWatchdog', severity: 'none' };
    for (const rule of config.inhibit_rules as { target_matchers: string[] }[]) {
      expect(rule.target_matchers.every((matcher) => matches(matcher, watchdog))).toBe(false);
    }
  });
});

/** Evaluates one Alertmanager matcher (`name="v"`, `!=`, `=~`, `!~`) against a label set. */
function matches(matcher: string, labels: Record<string, string>): boolean {
  const parsed = matcher.match(/^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"(.*)"\s*$/);
  if (!parsed) throw new Error(`cannot read matcher ${matcher}`);
  const [, name, op, value] = parsed as unknown as [string, string, string, string];
  const actual = labels[name] ?? '';
  const regex = new RegExp(`^(?:${value})$`);
  return {
    '=': actual === value,
    '!=': actual !== value,
    '=~': regex.test(actual),
    '!~': !regex.test(actual),
  }[op] as boolean;
}
