import { afterEach } from 'vitest';
import { type Listening, listen } from '../../src/http/index.ts';
import { SseParser } from '../../src/providers/sse.ts';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';

const running: { simulator: Simulator; listening: Listening }[] = [];

afterEach(async () => {
  for (const { simulator, listening } of running.splice(0)) {
    simulator.close();
    await listening.close();
  }
});

/** A standalone simulator on port 0; closed after each test. Fast timings unless a test asks otherwise. */
export async function startSimulator(options: SimulatorOptions = {}) {
  const simulator = createSimulator({ ttftMs: 0, tokensPerSecond: 0, ...options });
  const listening = await listen(simulator.app);
  running.push({ simulator, listening });
  return { simulator, url: listening.url };
}

export const userMessage = (content: string) => [{ role: 'user', content }];

export function postChat(url: string, body: Record<string, unknown>, init: RequestInit = {}) {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    body: JSON.stringify({ messages: userMessage('Hello simulator'), ...body }),
  });
}

export interface ReadStream {
  /** `data:` payloads in order (JSON left as text, `[DONE]` included). */
  data: string[];
  /** The error that ended the body early, if any (a cut). */
  error?: unknown;
}

/** Reads an SSE body to its end (or until it breaks), keeping every event seen before a failure. */
export async function readStream(response: Response, onData?: (data: string[]) => void): Promise<ReadStream> {
  const parser = new SseParser();
  const result: ReadStream = { data: [] };
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      for (const event of parser.push(chunk)) result.data.push(event.data);
      onData?.(result.data);
    }
    for (const event of parser.flush()) result.data.push(event.data);
  } catch (error) {
    result.error = error;
  }
  return result;
}

/** The content deltas of a stream's JSON chunks, skipping anything that does not parse. */
export function contents(data: string[]): string[] {
  return data.flatMap((item) => {
    try {
      const chunk = JSON.parse(item) as { choices?: { delta?: { content?: string } }[] };
      const content = chunk.choices?.[0]?.delta?.content;
      return content ? [content] : [];
    } catch {
      return [];
    }
  });
}

// biome-ignore lint/suspicious/noExplicitAny: tests check response bodies with expect, not with types.
export type Body = any;
export const json = (response: Response): Promise<Body> => response.json();
