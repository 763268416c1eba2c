/**
 * What counts as an answer. An upstream that finishes with nothing in it (no text, tool call, refusal or
 * reasoning) has failed in a way its 200 hides; the gateway can then fail over (`empty_response`).
 */

/** `finish_reason` values that explain an answer without content: out of tokens, or filtered. */
const explainsEmptiness = new Set(['length', 'content_filter']);

const saysSomething = (value: unknown) =>
  value !== null && value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0);

/** A message or stream delta with something beyond its role. Unknown fields count: they may be the answer. */
function hasContent(message: unknown): boolean {
  if (typeof message !== 'object' || message === null) return false;
  for (const [key, value] of Object.entries(message)) if (key !== 'role' && saysSomething(value)) return true;
  return false;
}

/** `text` is a text completion's (`/v1/completions`) content, where chat has a message or delta. */
type Choice = { message?: unknown; delta?: unknown; text?: unknown; finish_reason?: unknown };
const choicesOf = (json: Record<string, unknown>): Choice[] =>
  Array.isArray(json.choices) ? (json.choices as Choice[]) : [];

/** A stream chunk whose delta carries content (not the role-only preamble, a bare finish or usage). */
export const chunkHasContent = (json: Record<string, unknown>): boolean =>
  choicesOf(json).some((choice) => hasContent(choice?.delta) || saysSomething(choice?.text));

/** True when a finish reason explains why an answer has no content, so it is not an empty answer. */
export const emptinessExplained = (finishReason: unknown): boolean =>
  typeof finishReason === 'string' && explainsEmptiness.has(finishReason);

/** A chat completion none of whose choices says anything, without a finish reason that explains it. */
export const isEmptyCompletion = (json: Record<string, unknown>): boolean =>
  choicesOf(json).every(
    (choice) => !hasContent(choice?.message) && !emptinessExplained(choice?.finish_reason),
  );

/** Keys whose strings are identifiers, not generated text. */
const notText = new Set(['role', 'id', 'type', 'index']);

/** Characters of generated text in a value: strings, and strings inside arrays and objects (tool calls). */
function textLength(value: unknown, depth: number): number {
  if (typeof value === 'string') return value.length;
  if (depth > 4 || typeof value !== 'object' || value === null) return 0;
  let sum = 0;
  if (Array.isArray(value)) for (const item of value) sum += textLength(item, depth + 1);
  else {
    const record = value as Record<string, unknown>;
    // for...in rather than Object.entries: this runs for every streamed chunk, and allocates nothing.
    for (const key in record) if (!notText.has(key)) sum += textLength(record[key], depth + 1);
  }
  return sum;
}

/**
 * A stream chunk's output in characters (text, refusal, reasoning, tool-call names and arguments), or -1
 * when it carries none (the role preamble, a bare finish, usage): what a token estimate counts. A delta
 * says something when any field but its role does, as hasContent reads it.
 */
export function outputChars(json: Record<string, unknown>): number {
  let chars = -1;
  for (const choice of choicesOf(json)) {
    const delta = choice?.delta;
    if (typeof delta !== 'object' || delta === null) continue;
    const fields = delta as Record<string, unknown>;
    let says = false;
    let length = 0;
    for (const key in fields) {
      const value = fields[key];
      if (key === 'role' || !saysSomething(value)) continue;
      says = true;
      if (!notText.has(key)) length += textLength(value, 1);
    }
    if (says) chars = Math.max(chars, 0) + length;
  }
  return chars;
}

/** Characters of generated text in a complete answer's messages: the estimate's basis when no usage came. */
export const completionChars = (json: Record<string, unknown>): number =>
  choicesOf(json).reduce((sum, choice) => sum + textLength(choice?.message, 0), 0);
