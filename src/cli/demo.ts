import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { loadConfig } from '../config/index.ts';
import { type Command, listenOptions, nonNegativeValue } from './options.ts';
import { serve, withListenFlags } from './serve.ts';

/**
 * `inferwatch demo`: the embedded default (gateway + two simulated providers) with light traffic, the
 * primary knocked out and brought back on a cycle, and every failover and breaker transition printed as
 * it happens (read from the process's own /ws/events, like any other client would).
 */
export const demoCommand: Command = {
  summary: 'Run the gateway on simulated providers, knock the primary out and back, show failover live',
  usage: 'inferwatch demo [--duration-seconds N] [--outage-after-seconds N] [--outage-seconds N] [--port N]',
  options: {
    'duration-seconds': {
      type: 'string',
      valueName: 'N',
      description: 'stop after this many seconds (0 = run until Ctrl-C)',
      defaultText: '0',
      parse: nonNegativeValue,
    },
    'outage-after-seconds': {
      type: 'string',
      valueName: 'N',
      description: 'knock the primary out this long after the start, and again every cycle',
      defaultText: '8',
      parse: nonNegativeValue,
    },
    'outage-seconds': {
      type: 'string',
      valueName: 'N',
      description: 'how long each outage lasts before the primary comes back',
      defaultText: '20',
      parse: nonNegativeValue,
    },
    ...listenOptions,
  },
  async run(values) {
    const seconds = (name: string, fallback: number) => (values[name] as number | undefined) ?? fallback;
    const duration = seconds('duration-seconds', 0);
    const outageAfter = seconds('outage-after-seconds', 8);
    const outageFor = seconds('outage-seconds', 20);
    const file = values.config as string | undefined;
    const port = values.port as number | undefined;
    const env = withListenFlags(process.env, { port, host: values.host as string | undefined });
    // The demo is about the simulated pair: ignore real-provider keys unless a config file is given.
    if (!file) delete env.OPENAI_API_KEY;
    // Its own store, removed when it stops: the demo's incidents must not land in a real server's history.
    const storeDir = mkdtempSync(join(tmpdir(), 'inferwatch-demo-'));
    env.INFERWATCH_STORE_PATH = join(storeDir, 'demo.db');
    const removeStore = () => rmSync(storeDir, { recursive: true, force: true });
    let serving: Awaited<ReturnType<typeof serve>>;
    let config: ReturnType<typeof loadConfig>['config'];
    try {
      config = loadConfig({ file, env }).config;
      // The narrative goes to stdout; JSON log lines go to stderr so neither stream mixes formats.
      serving = await serve('gateway', { file, env, out: () => {}, logTo: process.stderr });
    } catch (error) {
      removeStore();
      throw error;
    }
    const key = config.server.apiKeys[0]?.key;
    const auth: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    const primary = config.providers[0];
    const instance = primary ? /\/([^/]+)\/v1\/?$/.exec(new URL(primary.baseURL).pathname)?.[1] : undefined;
    const started = Date.now();
    const stamp = () => {
      const seconds = Math.floor((Date.now() - started) / 1000);
      return `[${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}]`;
    };
    const say = (line: string) => console.log(`${stamp()} ${line}`);
    console.log(`inferwatch demo — gateway on ${serving.url}`);
    console.log(`  status page: ${serving.url}/   events: ${serving.url.replace('http', 'ws')}/ws/events`);
    console.log(
      `  chain: ${config.providers.map((provider) => provider.name).join(' → ')}   (Ctrl-C to stop)`,
    );

    const socket = new WebSocket(
      `${serving.url.replace('http', 'ws')}/ws/events${key ? `?token=${encodeURIComponent(key)}` : ''}`,
    );
    socket.on('error', () => {});
    socket.on('message', (data) => {
      const event = JSON.parse(String(data)) as Record<string, unknown>;
      if (event.type === 'provider_status') {
        say(`breaker ${event.provider}/${event.model}: ${event.from} → ${event.to} (${event.reason})`);
      } else if (event.type === 'incident' && event.kind === 'all_targets_unavailable') {
        say(`incident: ${event.title}`);
      }
    });

    const faultsURL = instance
      ? `${serving.url}${config.simulator.mountPath}/_sim/${instance}/faults`
      : undefined;
    const knock = async (out: boolean) => {
      if (!faultsURL || !config.simulator.enabled) return say('(no simulated primary to knock out)');
      say(out ? `>>> knocking ${primary?.name} out (simulated outage)` : `<<< ${primary?.name} is back`);
      await fetch(faultsURL, {
        method: out ? 'PUT' : 'DELETE',
        headers: { 'content-type': 'application/json', ...auth },
        ...(out ? { body: JSON.stringify({ mode: 'outage' }) } : {}),
      }).catch(() => say('could not reach the simulator control API'));
    };

    let window = { ok: 0, failedOver: 0, errors: 0, by: new Map<string, number>() };
    const drive = async () => {
      const response = await fetch(`${serving.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ model: 'sim-small', message: 'Say hello.' }),
      }).catch(() => undefined);
      const body = (await response?.json().catch(() => undefined)) as
        | { status?: string; provider_used?: string; failover_occurred?: boolean; failover_chain?: string[] }
        | undefined;
      if (body?.status !== 'success') window.errors += 1;
      else {
        window.ok += 1;
        window.by.set(body.provider_used ?? '?', (window.by.get(body.provider_used ?? '?') ?? 0) + 1);
        if (body.failover_occurred) {
          if (window.failedOver === 0)
            say(`failover: ${[...(body.failover_chain ?? []), body.provider_used].join(' → ')}`);
          window.failedOver += 1;
        }
      }
    };
    const traffic = setInterval(() => void drive(), 250);
    const report = setInterval(() => {
      const served = [...window.by].map(([name, count]) => `${name}=${count}`).join(' ') || '-';
      say(`traffic: ${window.ok} ok (${served}), ${window.failedOver} failed over, ${window.errors} errors`);
      window = { ok: 0, failedOver: 0, errors: 0, by: new Map() };
    }, 5_000);
    const cycle = (outageAfter + outageFor + 30) * 1000;
    const timers = [
      setTimeout(function outage() {
        void knock(true);
        timers.push(setTimeout(() => void knock(false), outageFor * 1000));
        timers.push(setTimeout(outage, cycle));
      }, outageAfter * 1000),
    ];

    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = async () => {
        if (stopping) process.exit(130);
        stopping = true;
        clearInterval(traffic);
        clearInterval(report);
        for (const timer of timers) clearTimeout(timer);
        socket.close();
        if (faultsURL) await fetch(faultsURL, { method: 'DELETE', headers: auth }).catch(() => undefined);
        await serving.stop();
        removeStore();
        console.log('demo stopped');
        resolve(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
      if (duration > 0) setTimeout(() => void stop(), duration * 1000);
    });
  },
};
