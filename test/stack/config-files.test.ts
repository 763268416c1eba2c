import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireTools } from '../required-tools.ts';
import { binaryPaths, binaryRequirements, repoRoot } from './binaries.ts';
import {
  collectorArgs,
  configFiles,
  renderAlertmanagerConfig,
  renderPrometheusConfig,
  ruleFiles,
} from './configs.ts';

const run = promisify(execFile);
const ready = requireTools(
  binaryRequirements(['otelcol', 'prometheus', 'alertmanager', 'promtool', 'amtool']),
);
const scratch = mkdtempSync(join(tmpdir(), 'inferwatch-configs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Rule {
  alert?: string;
  record?: string;
  expr?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules: Rule[] = ruleFiles().flatMap((file) =>
  parse(readFileSync(file, 'utf8')).groups.flatMap((group: { rules: Rule[] }) => group.rules),
);
const alerts = rules.filter((rule): rule is Rule & { alert: string } => Boolean(rule.alert));
/** The always-firing alert the dead man's switch listens to. */
const isHeartbeat = (rule: Rule) => rule.expr?.trim() === 'vector(1)';
const testsDir = resolve(repoRoot, 'alerts/tests');
const testFiles = readdirSync(testsDir).filter((name) => name.endsWith('.test.yml'));

describe.skipIf(!ready)('committed pipeline config files', () => {
  it('promtool accepts every rule file', async () => {
    const { stdout } = await run(binaryPaths.promtool, ['check', 'rules', ...ruleFiles()]);
    expect(stdout).not.toMatch(/FAILED/);
  });

  // One promtool run per file: a failure names its file, and the day-long SLO windows of one file do not
  // eat the time of the others on a loaded machine.
  it.each(testFiles)(
    'alerts/tests/%s passes under promtool test rules',
    async (file) => {
      const { stdout, stderr } = await run(binaryPaths.promtool, ['test', 'rules', file], { cwd: testsDir });
      expect(`${stdout}${stderr}`).not.toMatch(/FAILED/);
    },
    300_000,
  );

  it('promtool accepts prometheus.yml as committed and as the test stack renders it', async () => {
    await run(binaryPaths.promtool, ['check', 'config', '--syntax-only', configFiles.prometheus]);
    const rendered = join(scratch, 'prometheus.yml');
    writeFileSync(
      rendered,
      renderPrometheusConfig({
        intervalSeconds: 1,
        alertmanager: '127.0.0.1:9093',
        targets: { prometheus: '127.0.0.1:9090', otelcol: '127.0.0.1:8888', alertmanager: '127.0.0.1:9093' },
      }),
    );
    const { stdout } = await run(binaryPaths.promtool, ['check', 'config', rendered]);
    expect(stdout).toContain(`${ruleFiles().length} rule files found`);
  });

  it('amtool accepts alertmanager.yml as committed and as the test stack renders it', async () => {
    await run(binaryPaths.amtool, ['check-config', configFiles.alertmanager]);
    const tokenFile = join(scratch, 'token');
    writeFileSync(tokenFile, 'secret');
    const rendered = join(scratch, 'alertmanager.yml');
    writeFileSync(
      rendered,
      renderAlertmanagerConfig({
        webhookURL: 'http://127.0.0.1:1/api/alertmanager',
        tokenFile,
        groupWait: '1s',
        pagerdutyURL: 'http://127.0.0.1:1/v2/enqueue',
        routingKeyFile: tokenFile,
        deadmansSwitchURL: 'http://127.0.0.1:1/ping',
      }),
    );
    const { stdout } = await run(binaryPaths.amtool, ['check-config', rendered]);
    expect(stdout).toContain('SUCCESS');
  });

  it('the Collector build validates its config, with and without the native-stack override and the auth overlay', async () => {
    await run(binaryPaths.otelcol, ['validate', `--config=${configFiles.collector}`]);
    await run(binaryPaths.otelcol, ['validate', ...collectorArgs()]);
    // The optional bearer-token overlay, as compose or a deployment would add it.
    await run(
      binaryPaths.otelcol,
      ['validate', ...collectorArgs(), `--config=${configFiles.collectorAuth}`],
      {
        env: { ...process.env, OTELCOL_OTLP_TOKEN_FILE: join(scratch, 'otlp-token') },
      },
    );
  });
});

describe('alert rule conventions', () => {
  it.each(alerts.map((rule) => [rule.alert, rule] as const))(
    '%s has severity, summary, description and a runbook that exists',
    (name, rule) => {
      // `none` is the heartbeat's: it never pages anyone.
      expect(isHeartbeat(rule) ? ['none'] : ['critical', 'warning', 'info']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.description).toBeTruthy();
      expect(rule.annotations?.runbook_url).toMatch(new RegExp(`/docs/runbooks/${name}\\.md$`));
      expect(existsSync(resolve(repoRoot, `docs/runbooks/${name}.md`))).toBe(true);
    },
  );

  it.each(alerts.map((rule) => [rule.alert, rule] as const))(
    '%s is unit-tested both firing and quiet',
    (name, rule) => {
      const cases = testFiles.flatMap((file) =>
        parse(readFileSync(join(testsDir, file), 'utf8')).tests.flatMap(
          (test: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }) =>
            (test.alert_rule_test ?? []).filter((entry) => entry.alertname === name),
        ),
      );
      expect(cases.some((entry: { exp_alerts?: unknown[] }) => (entry.exp_alerts ?? []).length > 0)).toBe(
        true,
      );
      // The heartbeat is never quiet by design: that is what the dead man's switch watches.
      if (isHeartbeat(rule)) return;
      expect(cases.some((entry: { exp_alerts?: unknown[] }) => (entry.exp_alerts ?? []).length === 0)).toBe(
        true,
      );
    },
  );

  it('recording rules follow level:metric:operations', () => {
    for (const rule of rules.filter((candidate) => candidate.record)) {
      expect(rule.record).toMatch(/^[a-z_]*:[a-z0-9_]+:[a-z0-9_]+$/);
    }
  });
});
