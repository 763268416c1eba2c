import { describe, expect, it } from 'vitest';
import { emptyTally } from '../providers/index.ts';
import { createPricing } from './pricing.ts';
import { countTokens, estimateInputTokens, outputRate } from './tokens.ts';

const tally = (change: Partial<ReturnType<typeof emptyTally>>) => ({
  ...emptyTally(),
  answered: true,
  ...change,
});
const body = { messages: [{ role: 'user', content: 'x'.repeat(40) }] };

describe('countTokens', () => {
  it('counts nothing for an attempt the upstream never answered', () => {
    expect(countTokens(emptyTally(), body)).toBeUndefined();
  });

  it("takes the upstream's usage as reported, cached input included", () => {
    const usage = { prompt_tokens: 100, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 60 } };
    expect(countTokens(tally({ usage }), body)).toEqual({
      input: 100,
      output: 7,
      cachedInput: 60,
      estimated: false,
    });
  });

  it('estimates what is missing: a token an output chunk, or four characters a token if that is more', () => {
    expect(countTokens(tally({ outputChunks: 12, outputChars: 20 }), body)).toEqual({
      input: estimateInputTokens(body.messages),
      output: 12,
      cachedInput: 0,
      estimated: true,
    });
    expect(countTokens(tally({ outputChunks: 2, outputChars: 41 }), body)?.output).toBe(11);
  });

  it('estimates input from message text plus per-message framing', () => {
    // 40 characters → 10 tokens, 3 for the message, 3 priming the reply.
    expect(estimateInputTokens(body.messages)).toBe(16);
    expect(estimateInputTokens('not a list')).toBe(0);
  });
});

describe('outputRate', () => {
  it('is tokens per second between the first and the last output chunk', () => {
    expect(outputRate(tally({ outputChunks: 5, firstOutputAt: 1_000, lastOutputAt: 1_500 }), 10)).toBe(20);
  });

  it('is undefined for a single chunk or chunks that arrived together', () => {
    expect(outputRate(tally({ outputChunks: 1, firstOutputAt: 0, lastOutputAt: 0 }), 3)).toBeUndefined();
    expect(outputRate(tally({ outputChunks: 4, firstOutputAt: 7, lastOutputAt: 7 }), 3)).toBeUndefined();
  });
});

describe('createPricing', () => {
  const pricing = createPricing([
    {
      name: 'p',
      pricing: { 'gpt-x': { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 } },
    },
    { name: 'free', pricing: {} },
  ] as never);
  const tokens = { input: 1_000_000, output: 500_000, cachedInput: 400_000, estimated: false };

  it('prices input, cached input and output per million tokens', () => {
    expect(pricing.cost('p', ['gpt-x'], tokens)).toBeCloseTo(0.6 * 2 + 0.4 * 0.5 + 0.5 * 8, 9);
  });

  it('falls back to the response model, and says nothing for an unpriced model', () => {
    expect(pricing.cost('p', ['alias', 'gpt-x'], { ...tokens, cachedInput: 0 })).toBeCloseTo(2 + 4, 9);
    expect(pricing.cost('p', ['other', undefined], tokens)).toBeUndefined();
    expect(pricing.cost('free', ['gpt-x'], tokens)).toBeUndefined();
  });
});
