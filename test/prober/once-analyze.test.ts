import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/free-port.ts';
import { type Listening, listen } from '../../src/http/index.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { type LlmMode, startScriptedLlm } from '../analyzer/scripted-llm.ts';
import { startReceivers } from '../fakes/analyzer-receivers.ts';
import { repoRoot } from '../stack/binaries.ts';
import { startProcess } from '../stack/process.ts';

/**
 * `inferwatch probe --once --analyze / --notify`, the OXLO monitoring agent's one-shot check, run as its
 * users run it (a child process) against the simulator, a scripted OpenAI-compatible LLM and
 * Slack/Discord-shaped receivers, all on loopback.
 */
const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'inferwatch-once-analyze-'));
let simulator: Simulator;
let sim: Listening;
let llm: Awaited<ReturnType<typeof startScriptedLlm>>;
let receivers: Awaited<ReturnType<typeof startReceivers>>;

beforeAll(async () => {
  simulator = createSimulator({ ttftMs: 0, tokensPerSecond: 0 });
  sim = await listen(simulator.app);
  llm = await startScriptedLlm('good', { models: ['deepseek-v3.2'] });
  receivers = await startReceivers();
});

afterAll(async () => {
  simulator.close();
  await sim.close();
  await llm.close();
  await receivers.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  receivers.received.length = 0;
  receivers.clearFaults();
  llm.simulator.resetStats();
  llm.setMode('good');
});

function configFile(
  name: string,
  { failing = true, withLlm = false }: { failing?: boolean; withLlm?: boolean } = {},
) {
  const file = join(dir, `${name}.yaml`);
  const broken = failing ? 'sim-small+fault-500' : 'sim-small';
  writeFileSync(
    file,
    `store: { path: ":memory:" }
prober:
  region: eu-west-1
  targets:
    - { name: health, http: { url: "${sim.url}/_sim?token=not-printed" } }
    - { name: chat-primary, model: { baseURL: "${sim.url}/primary/v1", model: sim-small } }
    - { name: chat-backup, model: { baseURL: "${sim.url}/backup/v1", model: "${broken}" } }
analyzer:
${withLlm ? `  llm: { baseURL: "${llm.baseURL}", apiKey: oxlo-test-key, model: deepseek-v3.2 }\n` : ''}  outbox: { baseDelayMs: 10, maxDelayMs: 20 }
  notify:
    - { type: slack, webhookURL: "${receivers.url}/slack" }
    - { type: discord, name: discord-oncall, webhookURL: "${receivers.url}/discord" }
`,
  );
  return file;
}

async function probeOnce(file: string, ...flags: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [
      'src/main.ts',
      'probe',
      '--once',
      ...flags,
      '--config',
      file,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// Each test starts a Node process or two; on a shared, loaded machine that alone can take seconds.
describe('inferwatch probe --once --analyze', { timeout: 60_000 }, () => {
  it('prints one line per endpoint, the rule-based analysis and the summary; notifies nobody', async () => {
    const { code, stdout } = await probeOnce(configFile('rules'), '--analyze');
    expect(code).toBe(1);
    expect(stdout).toMatch(/Monitoring Check — \d\d:\d\d:\d\d \(eu-west-1\)/);
    expect(stdout).toContain('🔍 Probing 3 endpoints...');
    expect(stdout).toMatch(/🟢 health — healthy, [\d.]+ms \(http:\/\/127\.0\.0\.1:\d+\/_sim\)\n/);
    expect(stdout).not.toContain('not-printed');
    expect(stdout).toMatch(/🟢 chat-primary — healthy, [\d.]+ms \(model sim-small @ /);
    expect(stdout).toMatch(/🔴 chat-backup — down, [\d.]+ms .* — server_error/);
    expect(stdout).toContain('🤖 Analyzing 1 issues with the rules');
    expect(stdout).toMatch(
      /\*\*ProbeTargetDown — provider outage\*\* \[critical · provider_outage · rules\]/,
    );
    expect(stdout).toContain('  - alert label error_type="server_error"');
    expect(stdout).not.toContain('📣');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('📊 Summary: 2 healthy, 1 failing');
    expect(receivers.received).toEqual([]);
  });

  it('--notify: the LLM explains from the run, and each notifier gets exactly one message', async () => {
    // Any other key gets a 401: an LLM-sourced analysis proves the configured key went out.
    llm.setFaults({ apiKey: 'oxlo-test-key' });
    const { code, stdout } = await probeOnce(configFile('llm', { withLlm: true }), '--notify');
    expect(code).toBe(1);
    expect(llm.stats.requests).toBe(1);
    const sent = llm.last?.body as { model: string; messages: { content: string }[] };
    expect(sent.model).toBe('deepseek-v3.2');
    expect(llm.last?.headers.authorization).toBe('[redacted]');
    // The LLM sees the failing target's evidence (labels and annotations), not the healthy ones.
    const context = sent.messages.at(-1)?.content ?? '';
    expect(context).toContain('"target":"chat-backup"');
    expect(context).toContain('"error_type":"server_error"');
    expect(context).not.toContain('chat-primary');
    expect(stdout).toContain('🤖 Analyzing 1 issues with the LLM (deepseek-v3.2 at 127.0.0.1:');
    expect(stdout).toContain('**LLM summary: provider trouble** [critical · provider_outage · llm]');
    expect(stdout).toContain('📣 Notified: slack sent, discord-oncall sent');
    expect(receivers.delivered('/slack')).toHaveLength(1);
    expect(receivers.delivered('/discord')).toHaveLength(1);
    expect(receivers.delivered('/slack')[0]?.raw).toContain('chat-backup');
  });

  it('falls back to the rules when the LLM fails, and says so; the notification still goes out', async () => {
    llm.setMode('fail' satisfies LlmMode);
    const { stdout } = await probeOnce(configFile('llm-down', { withLlm: true }), '--notify');
    expect(stdout).toContain('(the LLM gave no usable answer: error)');
    expect(stdout).toMatch(/\[critical · provider_outage · rules\]/);
    expect(receivers.delivered('/slack')).toHaveLength(1);
  });

  it('reports a notifier that refuses the message, with the reason', async () => {
    receivers.failNext(1, 400);
    const { stdout } = await probeOnce(configFile('refused'), '--notify');
    expect(stdout).toMatch(/📣 Notified: slack failed after 1 attempt\(s\) \(.*400.*\), discord-oncall sent/);
  });

  it('--json: one document with the results, the summary, the analysis and the notifications', async () => {
    const { code, stdout } = await probeOnce(configFile('json'), '--analyze', '--json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as {
      region: string;
      summary: { total: number; healthy: number; failing: number };
      results: { target: string; state: string }[];
      analysis: { category: string; source: string } | null;
      notifications: unknown[];
    };
    expect(report.region).toBe('eu-west-1');
    expect(report.summary).toEqual({ total: 3, healthy: 2, failing: 1 });
    expect(report.results.map((result) => [result.target, result.state])).toEqual([
      ['health', 'up'],
      ['chat-primary', 'up'],
      ['chat-backup', 'down'],
    ]);
    expect(report.analysis).toMatchObject({ category: 'provider_outage', source: 'rules' });
    expect(report.notifications).toEqual([]);
  });

  it('calls neither the LLM nor a notifier when every endpoint is healthy, and exits 0', async () => {
    const { code, stdout } = await probeOnce(
      configFile('healthy', { failing: false, withLlm: true }),
      '--notify',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('✅ All 3 endpoints healthy!');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('📊 Summary: 3 healthy, 0 failing');
    expect(llm.stats.requests).toBe(0);
    expect(receivers.received).toEqual([]);
  });

  it('refuses --once with --schedule, and --json without --once, with exit code 2', async () => {
    const file = configFile('flags');
    const both = await probeOnce(file, '--schedule');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--once and --schedule cannot be combined.');
    const json = await exec(process.execPath, ['src/main.ts', 'probe', '--json', '--config', file]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(json).toMatchObject({ code: 2, stderr: expect.stringContaining('--json needs --once.') });
  });
});

describe('inferwatch probe --schedule', { timeout: 90_000 }, () => {
  it('with --notify, probes on the schedule and the analyzer explains and notifies a target going down', async () => {
    const port = await freePort();
    const file = join(dir, 'schedule.yaml');
    writeFileSync(
      file,
      `server: { port: ${port} }
store: { path: ":memory:" }
prober:
  intervalSeconds: 1
  failureThreshold: 1
  targets:
    - { name: chat-backup, model: { baseURL: "${sim.url}/backup/v1", model: "sim-small+fault-500" } }
analyzer:
  notify:
    - { type: slack, webhookURL: "${receivers.url}/slack" }
`,
    );
    const child = startProcess({
      name: 'probe-schedule',
      command: process.execPath,
      args: ['src/main.ts', 'probe', '--schedule', '--notify', '--config', file],
      cwd: repoRoot,
      logFile: join(dir, 'schedule.log'),
      env: { INFERWATCH_API_KEYS: '', INFERWATCH_OTLP_ENDPOINT: '' },
    });
    try {
      await expect
        .poll(() => receivers.delivered('/slack').length, { timeout: 60_000, interval: 250 })
        .toBe(1);
      expect(receivers.delivered('/slack')[0]?.raw).toContain('chat-backup');
      const analyses = (await (await fetch(`http://127.0.0.1:${port}/api/analyses`)).json()) as {
        data: { alertname: string }[];
      };
      expect(analyses.data.map((analysis) => analysis.alertname)).toEqual(['ProbeTargetDown']);
    } finally {
      await child.stop(10_000);
    }
  });
});
