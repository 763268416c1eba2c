import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from './index.ts';
import { shieldReferences } from './interpolate.ts';
import { schemaKeyPaths, treeKeyPaths } from './key-paths.ts';

const example = new URL('../../inferwatch.example.yaml', import.meta.url).pathname;

/** Keys whose values are free-form maps (header names, model names, label names). */
const freeMaps = new Set([
  'providers[].headers',
  'providers[].models',
  'providers[].pricing',
  'prober.targets[].http.headers',
  'prober.targets[].model.headers',
  'analyzer.notify[].match.labels',
]);

describe('inferwatch.example.yaml', () => {
  it('loads with its documented environment variables set', () => {
    const env = {
      OPENAI_API_KEY: 'sk-example',
      INFERWATCH_API_KEY: 'gateway-key',
      SEARCH_TEAM_KEY: 'search-team-key',
      INFERWATCH_WEBHOOK_TOKEN: 'webhook-token',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.example/T/B/x',
      DISCORD_WEBHOOK_URL: 'https://discord.example/api/webhooks/1/x',
      HOOK_SECRET: 'hook-secret',
      SMTP_PASSWORD: 'smtp-password',
      PAGERDUTY_ROUTING_KEY: 'pagerduty-routing-key-of-32-char',
      OPSGENIE_API_KEY: 'opsgenie-key',
      TEAMS_WEBHOOK_URL: 'https://example.webhook.office.com/workflows/x',
    };
    const { config } = loadConfig({ file: example, env });
    expect(config.providers.length).toBeGreaterThan(1);
  });

  it('loads as shipped, with no variable set, and says which notifiers it leaves out', () => {
    const { config, notes } = loadConfig({ file: example, env: {} });
    expect(config.analyzer.notify.map((notifier) => notifier.type)).toEqual(['webhook', 'email', 'console']);
    expect(notes).toEqual([
      'server.apiKeys.1 (team-search) is left out: ${SEARCH_TEAM_KEY} is not set',
      'analyzer.notify.0 (slack) is left out: ${SLACK_WEBHOOK_URL} is not set',
      'analyzer.notify.1 (discord "discord-oncall") is left out: ${DISCORD_WEBHOOK_URL} is not set',
      'analyzer.notify.5 (pagerduty) is left out: ${PAGERDUTY_ROUTING_KEY} is not set',
      'analyzer.notify.6 (opsgenie) is left out: ${OPSGENIE_API_KEY} is not set',
      'analyzer.notify.7 (teams) is left out: ${TEAMS_WEBHOOK_URL} is not set',
    ]);
  });

  it('exercises every key the schema accepts', () => {
    const present = new Set(
      treeKeyPaths(parse(shieldReferences(readFileSync(example, 'utf8')).text), freeMaps),
    );
    const missing = schemaKeyPaths().filter(
      (path) => !present.has(path) && ![...freeMaps].some((map) => path.startsWith(`${map}.`)),
    );
    expect(missing).toEqual([]);
  });
});
