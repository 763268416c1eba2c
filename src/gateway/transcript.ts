/**
 * What a streamed answer said, as an ordered list of parts: each text field of the delta (`content`,
 * `refusal`, `reasoning_content`...) and each tool call's arguments, in the order they first appeared.
 * Recorded for what the client received, so a replacement answer can be checked against it piece by piece.
 */

export interface Part {
  /** `content`, `refusal`, any other text field of the delta, or `tool:<index>` for a tool call. */
  key: string;
  text: string;
  /** A tool call's function name, once it came. */
  name?: string | undefined;
}

/** One piece of a delta: a text field's text, or a tool call's name and/or arguments. */
export interface Piece {
  key: string;
  text: string;
  tool?: ToolDelta | undefined;
}

export interface ToolDelta {
  index: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

/** Delta fields that are not output text. */
const notText = new Set(['role', 'tool_calls', 'function_call']);

/**
 * The pieces of one delta, in the order the upstream wrote them. Empty text fields (`"content": ""`
 * beside a tool call) say nothing and are left out; a tool call's first delta is kept even with empty
 * arguments, because it carries the name.
 */
export function piecesOf(delta: Record<string, unknown>): Piece[] {
  const pieces: Piece[] = [];
  for (const [key, value] of Object.entries(delta)) {
    if (key === 'tool_calls' && Array.isArray(value)) {
      for (const call of value as ToolDelta[]) {
        if (typeof call?.index !== 'number') continue;
        const args = call.function?.arguments;
        pieces.push({ key: `tool:${call.index}`, text: typeof args === 'string' ? args : '', tool: call });
      }
    } else if (!notText.has(key) && typeof value === 'string' && value.length > 0) {
      pieces.push({ key, text: value });
    }
  }
  return pieces;
}

export interface Transcript {
  readonly parts: readonly Part[];
  /** Characters of output recorded so far (all parts): where a resumption starts. */
  readonly chars: number;
  add(delta: Record<string, unknown>): void;
  /** The `content` text, for a prefill. */
  content(): string;
}

export function createTranscript(): Transcript {
  const parts: Part[] = [];
  let chars = 0;
  return {
    parts,
    get chars() {
      return chars;
    },
    add(delta) {
      // Every streamed chunk of every request passes here: the common one-field text delta skips the
      // general path's allocations.
      const content = delta.content;
      const last = parts.at(-1);
      if (typeof content === 'string' && last?.key === 'content' && delta.tool_calls === undefined) {
        let others = false;
        for (const key in delta)
          if (key !== 'content' && key !== 'role' && typeof delta[key] === 'string') others = true;
        if (!others) {
          last.text += content;
          chars += content.length;
          return;
        }
      }
      for (const piece of piecesOf(delta)) {
        let last = parts.at(-1);
        if (last?.key !== piece.key) {
          last = { key: piece.key, text: '' };
          parts.push(last);
        }
        const name = piece.tool?.function?.name;
        if (typeof name === 'string') last.name = (last.name ?? '') + name;
        last.text += piece.text;
        chars += piece.text.length;
      }
    },
    content: () =>
      parts
        .filter((part) => part.key === 'content')
        .map((part) => part.text)
        .join(''),
  };
}
