// npm run stack [-- --webhook URL --token T]: the native Collector, Prometheus and Alertmanager on free
// loopback ports from the committed config files, until Ctrl-C. Installs what is missing first (the
// Collector build; the Debian packages when running as root), as scripts/setup.sh does.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { missingBinaries, repoRoot } from './binaries.ts';
import { startStack } from './stack.ts';
import { startWebhookRecorder } from './webhook-recorder.ts';

const { values } = parseArgs({
  options: { webhook: { type: 'string' }, token: { type: 'string' }, interval: { type: 'string' } },
});

if (missingBinaries(['otelcol']).length > 0) {
  execFileSync('bash', ['otel-collector/build.sh'], { cwd: repoRoot, stdio: 'inherit' });
}
const debian = missingBinaries(['prometheus', 'alertmanager']);
if (debian.length > 0 && process.getuid?.() === 0) {
  execFileSync(
    'apt-get',
    ['install', '-y', '-qq', '--no-install-recommends', 'prometheus', 'prometheus-alertmanager'],
    {
      stdio: 'inherit',
    },
  );
} else if (debian.length > 0) {
  console.error(`missing:\n${debian.join('\n')}`);
  process.exit(1);
}

// Without --webhook, Alertmanager posts to a local recorder that prints what it receives.
const recorder = values.webhook ? undefined : await startWebhookRecorder();
const stack = await startStack({
  webhookURL: values.webhook ?? (recorder?.url as string),
  webhookToken: values.token ?? 'local-token',
  intervalSeconds: Number(values.interval ?? 5),
  fast: false,
});
console.log(`Collector OTLP/HTTP  ${stack.otlpHttpURL}   (telemetry.otlpEndpoint)
Collector OTLP/gRPC  ${stack.otlpGrpcEndpoint}
Prometheus           ${stack.prometheusURL}   (analyzer.prometheusURL)
Alertmanager         ${stack.alertmanagerURL}   (analyzer.alertmanagerURL)
Collector metrics    ${stack.collectorMetricsURL}
Traces (file)        ${stack.tracesFile}
Alertmanager pages   ${stack.pagerduty.url} (a PagerDuty Events API fake; pages printed below)
Alertmanager posts to ${values.webhook ?? `${recorder?.url} (recorder; printed below)`}. Ctrl-C stops everything.`);

let printed = 0;
let paged = 0;
const timer = setInterval(() => {
  for (const hook of recorder?.received.slice(printed) ?? []) {
    console.log(`webhook: ${hook.body.status} ${JSON.stringify(hook.body.groupLabels)}`);
  }
  printed = recorder?.received.length ?? 0;
  for (const event of stack.pagerduty.accepted().slice(paged)) {
    console.log(`page: ${event.event_action} ${event.payload?.summary ?? event.dedup_key}`);
  }
  paged = stack.pagerduty.accepted().length;
}, 1000);
const stop = async () => {
  clearInterval(timer);
  await stack.stop();
  await recorder?.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
