import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A wire-format fake of an OpenAI-compatible upstream for the gateway's tests, with faults chosen per
 * model name (the same `+fault-…` spelling as the simulator) or for every request (`setFault`). It counts
 * TCP connections, requests, in-flight ones and those the caller aborted, and keeps the last request for
 * assertions.
 */
export interface FakeUpstream {
  url: string;
  baseURL: string;
  stats: { connections: number; requests: number; aborted: number; inFlight: number };
  last: { headers: IncomingMessage['headers']; body: Record<string, unknown> } | undefined;
  setFault(fault: string | undefined): void;
  close(): Promise<void>;
}

const words = ['Hello', ' from', ' the', ' fake', ' upstream', '.'];
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startFakeUpstream(name = 'fake'): Promise<FakeUpstream> {
  const stats = { connections: 0, requests: 0, aborted: 0, inFlight: 0 };
  let forced: string | undefined;
  const fake: FakeUpstream = {
    url: '',
    baseURL: '',
    stats,
    last: undefined,
    setFault: (fault) => {
      forced = fault;
    },
    close: async () => {},
  };

  const chunk = (model: string, delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

  /**
   * Answers of a given shape rather than the usual words. `empty`: no content, finish "stop".
   * `empty-length`: no content because max_tokens ran out. `empty-choices`: no choices at all (a stream of
   * just [DONE]). `tool-call`: no text, one tool call.
   */
  const toolCall = { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } };
  const answerShapes: Record<
    string,
    { message?: Record<string, unknown>; delta?: Record<string, unknown>; finish: string } | undefined
  > = {
    empty: { message: { role: 'assistant', content: '', refusal: null }, finish: 'stop' },
    'empty-length': { message: { role: 'assistant', content: '' }, finish: 'length' },
    'empty-choices': { finish: 'stop' },
    'tool-call': {
      message: { role: 'assistant', content: null, tool_calls: [toolCall] },
      delta: { tool_calls: [{ index: 0, ...toolCall }] },
      finish: 'tool_calls',
    },
  };

  async function chat(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) {
    const requested = String(body.model ?? '');
    const [model = '', modelFault] = requested.split('+fault-');
    const fault = forced ?? modelFault ?? '';
    const stream = body.stream === true;
    const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ error: { message, type: 'invalid_request_error', code, param: null } }));
    };
    const retryAfter = /^429-retry-after-(\d+)$/.exec(fault);
    if (fault === '429' || retryAfter) {
      return error(
        429,
        'rate_limit_exceeded',
        'slow down',
        retryAfter ? { 'retry-after': retryAfter[1] ?? '1' } : {},
      );
    }
    if (fault === '500') return error(500, 'server_error', 'boom');
    if (fault === '503') return error(503, 'overloaded', 'try later');
    if (fault === 'auth') return error(401, 'invalid_api_key', 'bad key');
    if (fault === 'context-length')
      return error(400, 'context_length_exceeded', "This model's maximum context length is 8 tokens");
    if (fault === 'content-filter')
      return error(400, 'content_filter', 'filtered by the content management policy');
    if (fault === 'reset') return req.socket.destroy();
    if (fault === 'silence') return;
    const slow = /^slow-first-token-(\d+)$/.exec(fault);
    if (!stream) {
      if (slow) await wait(Number(slow[1]));
      if (fault === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"id": "chatcmpl-fake", "choices": [');
      }
      const shaped = answerShapes[fault];
      const answer = JSON.stringify({
        id: 'chatcmpl-fake',
        object: 'chat.completion',
        created: 1,
        model,
        choices: shaped
          ? shaped.message
            ? [{ index: 0, message: shaped.message, finish_reason: shaped.finish }]
            : []
          : [
              {
                index: 0,
                message: { role: 'assistant', content: `Hello from ${name}` },
                finish_reason: 'stop',
              },
            ],
        usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      // `trickle-<ms>`: the body in four pieces, <ms> apart (a slow but live upstream).
      const trickle = Number(/^trickle-(\d+)$/.exec(fault)?.[1] ?? Number.NaN);
      if (Number.isNaN(trickle)) return res.end(answer);
      const quarter = Math.ceil(answer.length / 4);
      for (let index = 0; index < 4; index += 1) {
        res.write(answer.slice(index * quarter, (index + 1) * quarter));
        await wait(trickle);
      }
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    if (slow) await wait(Number(slow[1]));
    // Faults count whole chunks: `cut-after-0` cuts before the first one (nothing reached the client).
    const cutAfter = Number(/^cut-after-(\d+)$/.exec(fault)?.[1] ?? Number.NaN);
    const stallAfter = Number(/^stall-after-(\d+)$/.exec(fault)?.[1] ?? Number.NaN);
    const malformedAfter =
      fault === 'malformed' ? 0 : Number(/^malformed-after-(\d+)$/.exec(fault)?.[1] ?? Number.NaN);
    const shaped = answerShapes[fault];
    const chunks = shaped
      ? shaped.message
        ? [
            chunk(model, { role: 'assistant', content: '' }),
            ...(shaped.delta ? [chunk(model, shaped.delta)] : []),
            chunk(model, {}, shaped.finish),
          ]
        : []
      : [
          chunk(model, { role: 'assistant', content: '' }),
          ...words.map((word) => chunk(model, { content: word })),
          ...(fault === 'no-done-cut' ? [] : [chunk(model, {}, 'stop')]),
        ];
    // `azure-preamble`: Azure OpenAI opens a stream with a prompt-filter chunk: no choices, model "".
    if (fault === 'azure-preamble') {
      res.write(
        `data: ${JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] })}\n\n`,
      );
    }
    for (const [index, data] of chunks.entries()) {
      if (index === cutAfter) return res.socket?.destroy();
      if (index === stallAfter) return;
      if (index === malformedAfter) return res.end('data: {"choices": [ oops\n\n');
      res.write(data);
      await wait(2);
    }
    if (fault === 'no-done-cut') return res.end();
    if ((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage) {
      res.write(
        `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 } })}\n\n`,
      );
    }
    if (fault === 'no-done') return res.end();
    // `done-then-linger-<ms>`: [DONE] goes out, the response itself ends <ms> later (its chunked terminator
    // in a later packet, as busy servers do). `done-then-chatter`: keeps sending keep-alive comments after
    // [DONE] and never ends the response on its own.
    const linger = Number(/^done-then-linger-(\d+)$/.exec(fault)?.[1] ?? Number.NaN);
    if (!Number.isNaN(linger) || fault === 'done-then-chatter') {
      res.write('data: [DONE]\n\n');
      if (!Number.isNaN(linger)) {
        await wait(linger);
        return res.end();
      }
      while (!res.destroyed) {
        res.write(': still here\n\n');
        await wait(50);
      }
      return;
    }
    res.end('data: [DONE]\n\n');
  }

  const server = createServer(async (req, res) => {
    stats.requests += 1;
    stats.inFlight += 1;
    res.on('close', () => {
      stats.inFlight -= 1;
      if (!res.writableFinished) stats.aborted += 1;
    });
    const chunks: Buffer[] = [];
    for await (const part of req) chunks.push(part as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    fake.last = { headers: req.headers, body };
    if (req.method === 'GET' && req.url === '/v1/models') {
      if (forced === 'outage' || forced === '500') return res.writeHead(500).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model' }] }));
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      if (forced === 'outage') {
        res.writeHead(500, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { message: 'outage', type: 'server_error', code: null } }));
      }
      return chat(req, res, body);
    }
    res.writeHead(404).end();
  });
  server.on('connection', () => {
    stats.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  fake.baseURL = `${fake.url}/v1`;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
