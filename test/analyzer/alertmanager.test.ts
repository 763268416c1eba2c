import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/free-port.ts';
import { startReceivers } from '../fakes/analyzer-receivers.ts';
import { startPagerDuty } from '../fakes/pagerduty.ts';
import { requireTools } from '../required-tools.ts';
import { binaryPaths, binaryRequirements } from '../stack/binaries.ts';
import { renderAlertmanagerConfig } from '../stack/configs.ts';
import { isRunning, type StartedProcess, startProcess } from '../stack/process.ts';
import { waitForHttp } from '../stack/wait.ts';
import { startAnalyzer } from './harness.ts';

const ready = requireTools(binaryRequirements(['alertmanager']));

/**
 * A real Alertmanager (the Debian binary) configured from alerts/alertmanager.yml posts to the analyzer:
 * bearer token, webhook v4, grouping, send_resolved. Alerts are pushed through Alertmanager's own API,
 * as Prometheus would, so no Collector or Prometheus is needed for this path.
 */
describe.skipIf(!ready)('real Alertmanager → analyzer', () => {
  let dir: string;
  let alertmanager: StartedProcess;
  let alertmanagerURL: string;
  let receivers: Awaited<ReturnType<typeof startReceivers>>;
  let pagerduty: Awaited<ReturnType<typeof startPagerDuty>>;
  let analyzer: Awaited<ReturnType<typeof startAnalyzer>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inferwatch-am-'));
    receivers = await startReceivers();
    pagerduty = await startPagerDuty();
    analyzer = await startAnalyzer({
      analyzer: {
        webhookToken: 'am-token',
        notify: [
          { type: 'webhook', url: `${receivers.url}/hook` },
          { type: 'pagerduty', routingKey: 'k'.repeat(32), url: pagerduty.url },
        ],
      },
    });
    const port = await freePort();
    alertmanagerURL = `http://127.0.0.1:${port}`;
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'am-token', { mode: 0o600 });
    const routingKeyFile = join(dir, 'routing-key');
    writeFileSync(routingKeyFile, 'k'.repeat(32), { mode: 0o600 });
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      renderAlertmanagerConfig({
        webhookURL: `${analyzer.url}/api/alertmanager`,
        tokenFile,
        groupWait: '1s',
        pagerdutyURL: `${pagerduty.url}`,
        routingKeyFile,
        deadmansSwitchURL: `${receivers.url}/slack`,
      }),
    );
    alertmanager = startProcess({
      name: 'alertmanager',
      command: binaryPaths.alertmanager,
      args: [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      logFile: join(dir, 'alertmanager.log'),
    });
    await waitForHttp(`${alertmanagerURL}/-/ready`, { alive: () => isRunning(alertmanager) });
  }, 60_000);

  afterAll(async () => {
    await alertmanager?.stop();
    await analyzer?.stop();
    await receivers?.close();
    await pagerduty?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const push = (endsAt?: string) =>
    fetch(`${alertmanagerURL}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: {
            alertname: 'InferwatchRateLimitSaturation',
            inferwatch_provider_name: 'openai',
            gen_ai_request_model: 'gpt-4o-mini',
            cloud_region: 'eu-west-1',
            severity: 'warning',
          },
          annotations: {
            summary: 'openai is rate limiting gpt-4o-mini',
            description: '31% of attempts got 429',
          },
          generatorURL: 'http://prometheus:9090/graph?g0.expr=up&g0.tab=1',
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          ...(endsAt ? { endsAt } : {}),
        },
      ]),
    });

  it('explains a firing alert Alertmanager delivers, then sends its resolution', async () => {
    expect((await push()).status).toBe(200);
    await expect
      .poll(() => receivers.delivered('/hook').length, { timeout: 30_000, interval: 250 })
      .toBeGreaterThanOrEqual(1);
    expect(receivers.delivered('/hook')[0]?.body).toMatchObject({
      kind: 'alert',
      category: 'provider_quota',
      alertname: 'InferwatchRateLimitSaturation',
    });

    expect((await push(new Date(Date.now() - 1_000).toISOString())).status).toBe(200);
    await expect
      .poll(() => receivers.delivered('/hook').map((r) => (r.body as { kind: string }).kind), {
        timeout: 30_000,
        interval: 250,
      })
      .toContain('resolved');
    // One analysis per group state, whatever Alertmanager re-sent in between.
    const kinds = receivers.delivered('/hook').map((r) => (r.body as { kind: string }).kind);
    expect(kinds.filter((kind) => kind === 'alert')).toHaveLength(1);
  }, 70_000);

  it("pages through Alertmanager's own PagerDuty integration, and the explanation joins that incident", async () => {
    // The group of the previous test: Alertmanager paged it and resolved it; the analyzer's trigger
    // and resolve carried the same dedup key, so there is one incident with both sources in its log.
    await expect
      .poll(() => pagerduty.incidents.map((incident) => incident.status), { timeout: 30_000, interval: 250 })
      .toEqual(['resolved']);
    const [incident] = pagerduty.incidents;
    const sources = incident?.events.map((event) => event.payload?.source ?? event.event_action);
    expect(sources).toContain('Alertmanager');
    expect(sources).toContain('inferwatch');
    expect(incident?.events[0]?.payload?.source).toBe('Alertmanager'); // the page came first
  }, 40_000);
});
