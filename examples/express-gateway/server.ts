// An existing Express app that adds an OpenAI-compatible, failover-capable gateway under /llm, next to
// its own routes. Run: SIMULATOR_URL=http://127.0.0.1:8090 PORT=3000 node server.ts
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createInferwatch, loadConfig } from 'inferwatch';

const { config } = loadConfig({ file: fileURLToPath(new URL('./inferwatch.yaml', import.meta.url)) });
const inferwatch = createInferwatch({ config, components: ['gateway'] });

const app = express();
app.get('/hello', (_req, res) => {
  res.json({ hello: 'from the host app' });
});
// The host's readiness includes inferwatch's.
app.get('/healthz', (_req, res) => {
  res.status(inferwatch.ready() ? 200 : 503).json({ ready: inferwatch.ready() });
});
// → /llm/v1/chat/completions, /llm/v1/models, /llm/api/chat, /llm/api/providers
app.use('/llm', inferwatch.router);

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, '127.0.0.1', () => {
  inferwatch.start({ server, selfURL: `http://127.0.0.1:${port}/llm` }).then(
    () =>
      console.log(`example app listening on http://127.0.0.1:${port} (telemetry: ${inferwatch.telemetry})`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});

process.once('SIGTERM', () => {
  server.close();
  inferwatch.stop().then(() => process.exit(0));
});
