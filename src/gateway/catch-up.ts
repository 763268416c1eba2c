import { type Part, type Piece, piecesOf } from './transcript.ts';

/**
 * What to do with one delta of the replacement answer: `delta` is what the client has not seen yet
 * (undefined: nothing, withhold it), or the answer went another way at `offset` characters.
 */
export type CatchUpStep =
  | { ok: true; delta: Record<string, unknown> | undefined }
  | { ok: false; offset: number; why: string };

export interface CatchUp {
  /** True once the replacement has repeated everything the client received: the rest is new. */
  readonly caughtUp: boolean;
  feed(delta: Record<string, unknown>): CatchUpStep;
}

/**
 * Replays a replacement answer against what the client already received (its parts, in order). Every
 * piece must repeat the received text exactly, part by part, the same tool calls with the same names and
 * arguments; only after the last received character does output reach the client. Comparison is by
 * text, not by chunk: two upstreams cut the same text into different chunks, and a chunk that straddles
 * the join is split so only its new end goes out. Tool-call ids differ between upstreams by design and
 * are not compared (the client keeps the ids it already has).
 */
export function createCatchUp(received: readonly Part[]): CatchUp {
  let index = 0;
  let at = 0;
  let caughtUp = received.length === 0;
  let matched = 0;
  const last = received.length - 1;

  const diverged = (why: string): CatchUpStep => ({ ok: false, offset: matched + at, why });

  function feed(delta: Record<string, unknown>): CatchUpStep {
    if (caughtUp) return { ok: true, delta };
    const fresh = new Surplus();
    for (const piece of piecesOf(delta)) {
      if (caughtUp) {
        fresh.add(piece, piece.text, true);
        continue;
      }
      let part = received[index] as Part;
      if (piece.key !== part.key) {
        if (at < part.text.length) return diverged(`${piece.key} began before ${part.key} was repeated`);
        if (index === last) {
          caughtUp = true;
          fresh.add(piece, piece.text, true);
          continue;
        }
        matched += part.text.length;
        index += 1;
        at = 0;
        part = received[index] as Part;
        if (piece.key !== part.key) return diverged(`${piece.key} came where ${part.key} was sent`);
      }
      const name = piece.tool?.function?.name;
      if (typeof name === 'string' && name !== '' && name !== part.name)
        return diverged(`tool call ${part.key} names another function`);
      const left = part.text.length - at;
      if (piece.text.length <= left) {
        if (!part.text.startsWith(piece.text, at)) return diverged(`${part.key} differs`);
        at += piece.text.length;
      } else {
        // Longer than what is left of this part: only the part the client saw last may go on.
        if (index !== last) return diverged(`${part.key} is longer than what was sent`);
        if (!piece.text.startsWith(part.text.slice(at))) return diverged(`${part.key} differs`);
        at = part.text.length;
        caughtUp = true;
        fresh.add(piece, piece.text.slice(left), false);
        continue;
      }
      if (index === last && at === part.text.length) caughtUp = true;
    }
    return { ok: true, delta: fresh.delta() };
  }

  return {
    get caughtUp() {
      return caughtUp;
    },
    feed,
  };
}

/** The pieces of a delta the client has not seen, put back together as a delta. */
class Surplus {
  #fields: Record<string, string> = {};
  #tools: Record<string, unknown>[] = [];
  #any = false;

  /** `whole`: the piece is new in full (its tool call's id, type and name go along); else its tail. */
  add(piece: Piece, text: string, whole: boolean): void {
    if (piece.tool) {
      // The tail of a call the client already has needs only its index: the id and name went out before.
      this.#tools.push(
        whole ? { ...piece.tool } : { index: piece.tool.index, function: { arguments: text } },
      );
      this.#any = true;
      return;
    }
    if (text === '') return;
    this.#fields[piece.key] = (this.#fields[piece.key] ?? '') + text;
    this.#any = true;
  }

  delta(): Record<string, unknown> | undefined {
    if (!this.#any) return undefined;
    return { ...this.#fields, ...(this.#tools.length > 0 ? { tool_calls: this.#tools } : {}) };
  }
}
