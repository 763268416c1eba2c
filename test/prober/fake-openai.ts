import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A wire-format fake of an OpenAI-compatible chat endpoint with faults chosen by model name, named like the
 * simulator's (`sim-small+fault-cut-after-2`), so these tests can move to src/simulator when it lands.
 * `Reply with exactly: X` answers X; anything else answers "pong".
 */
export interface FakeOpenAI {
  baseURL: string;
  /** Headers of every request received, oldest first. */
  requests: IncomingMessage['headers'][];
  close(): Promise<void>;
}

const chunk = (
  model: string,
  delta: Record<string, unknown>,
  finish: string | null = null,
  usage?: unknown,
) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: IncomingMessage['headers'][] = [];
  const server: Server = createServer(async (req, res) => {
    requests.push(req.headers);
    let raw = '';
    for await (const part of req) raw += part;
    const body = JSON.parse(raw) as { model: string; stream?: boolean; messages: { content: string }[] };
    const fault = (name: string) => body.model.includes(`+fault-${name}`);
    const number = (name: string) =>
      Number(new RegExp(`\\+fault-${name}-(\\d+)`).exec(body.model)?.[1] ?? -1);
    if (fault('429')) {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      return res.end(JSON.stringify({ error: { message: 'Rate limit', type: 'rate_limit_error' } }));
    }
    if (fault('500')) return res.writeHead(500).end('{"error":{"message":"boom"}}');
    if (fault('503-overloaded')) return res.writeHead(503).end('{"error":{"message":"model overloaded"}}');
    if (fault('401')) return res.writeHead(401).end('{"error":{"message":"bad key"}}');
    if (fault('hang')) return; // never answers
    const prompt = body.messages.at(-1)?.content ?? '';
    let answer = /^Reply with exactly: (.*)$/.exec(prompt)?.[1] ?? 'pong';
    if (fault('wrong-answer')) answer = 'something else';
    if (fault('empty')) answer = '';
    const words = answer === '' ? [] : answer.split(/(?<= )/);
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(
        JSON.stringify({
          id: 'c1',
          object: 'chat.completion',
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 7, completion_tokens: words.length, total_tokens: 7 + words.length },
        }),
      );
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    res.write(chunk(body.model, { role: 'assistant', content: '' }));
    if (fault('garbage')) return res.end('data: {not json\n\n');
    const firstTokenDelay = number('slow-first-token');
    if (firstTokenDelay > 0) await new Promise((resolve) => setTimeout(resolve, firstTokenDelay));
    const cutAfter = number('cut-after');
    for (const [index, word] of words.entries()) {
      if (cutAfter >= 0 && index >= cutAfter) return res.destroy();
      res.write(chunk(body.model, { content: word }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (cutAfter >= 0) return res.destroy();
    res.write(chunk(body.model, {}, 'stop'));
    res.write(
      `data: ${JSON.stringify({ id: 'c1', choices: [], usage: { prompt_tokens: 7, completion_tokens: words.length } })}\n\n`,
    );
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
