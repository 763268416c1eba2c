import type { Usage } from './types.ts';

/**
 * Token usage for streams the client did not ask usage for. OpenAI-compatible upstreams report a stream's
 * usage only when the request says `stream_options: { include_usage: true }`; the official SDKs do not set
 * it by default, so without help most streamed traffic would count no tokens. The gateway asks for it
 * anyway and takes out what the client did not ask for: the usage-only chunk before `[DONE]`
 * (`choices: []`) and the `"usage": null` that every other chunk then carries. The client receives what
 * the provider would have sent it without the option.
 */

export interface UsageRequest {
  /** The body to send upstream. */
  body: Record<string, unknown>;
  /** True when the gateway added the option, so the chunks must lose what it brought. */
  added: boolean;
}

/** The upstream body with usage asked for, unless the client asked itself or the upstream rejects it. */
export function requestUsage(body: Record<string, unknown>, upstreamRejects: boolean): UsageRequest {
  const options = body.stream_options;
  const own =
    typeof options === 'object' && options !== null && !Array.isArray(options) ? options : undefined;
  if ((own as { include_usage?: unknown } | undefined)?.include_usage === true || upstreamRejects) {
    return { body, added: false };
  }
  // Other stream options the client set (include_obfuscation, vLLM's continuous_usage_stats) stay.
  return { body: { ...body, stream_options: { ...own, include_usage: true } }, added: true };
}

/**
 * A 400 or 422 (FastAPI-based servers such as older vLLM) whose error names `stream_options`: the upstream
 * does not know the option. Any other 400 is the client's own problem and is answered as such.
 */
export const rejectsStreamOptions = (status: number, text: string): boolean =>
  (status === 400 || status === 422) && text.includes('stream_options');

interface UsageChunk {
  choices?: unknown;
  usage?: Usage | null;
}

const NULL_USAGE_AFTER = ',"usage":null';
const NULL_USAGE_BEFORE = '"usage":null,';

/**
 * One chunk's payload as the client should see it when the gateway added the option: `undefined` drops
 * the usage-only chunk, otherwise the payload without its `usage` field. Unescaped quotes cannot occur inside
 * a JSON string, so the `"usage":null` text found once in a chunk whose top-level usage is null is that
 * field; anything less plain is re-serialised.
 */
export function stripAddedUsage(data: string, json: UsageChunk): string | undefined {
  if (!('usage' in json)) return data;
  if (json.usage && Array.isArray(json.choices) && json.choices.length === 0) return undefined;
  if (json.usage === null) {
    const at = data.indexOf(NULL_USAGE_AFTER);
    if (at !== -1 && data.indexOf(NULL_USAGE_AFTER, at + 1) === -1 && !data.includes(NULL_USAGE_BEFORE)) {
      return data.slice(0, at) + data.slice(at + NULL_USAGE_AFTER.length);
    }
    const before = data.indexOf(NULL_USAGE_BEFORE);
    if (before !== -1 && data.indexOf(NULL_USAGE_BEFORE, before + 1) === -1 && at === -1) {
      return data.slice(0, before) + data.slice(before + NULL_USAGE_BEFORE.length);
    }
  }
  const { usage: _dropped, ...rest } = json as Record<string, unknown>;
  return JSON.stringify(rest);
}
