/**
 * Grounding check for LLM evidence: an item must quote a number or a label present in the context, and
 * every number it quotes must be there (a model that invents "47% errors" is dropped, not trusted).
 */
export interface Grounding {
  numbers: number[];
  words: Set<string>;
}

const numberPattern = /-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi;

const common = new Set([
  'firing',
  'resolved',
  'warning',
  'critical',
  'info',
  'true',
  'false',
  'success',
  'error',
  'default',
]);

/** Collects the numbers and label values (whitespace-free JSON strings) of a context's JSON text. */
export function groundingOf(contextText: string): Grounding {
  const numbers = [...contextText.matchAll(numberPattern)]
    .map((match) => Number(match[0]))
    .filter(Number.isFinite);
  const words = new Set<string>();
  for (const match of contextText.matchAll(/"([^"\\\s]{3,160})"/g)) {
    const value = (match[1] ?? '').toLowerCase();
    if (!common.has(value) && !/^-?[\d.]+$/.test(value)) words.add(value);
  }
  return { numbers, words };
}

const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(0.005, Math.abs(b) * 0.01);

function numberPresent(value: number, grounding: Grounding): boolean {
  // Accept rounding (1 %) and the percent form of a ratio (0.123 → 12.3%).
  return grounding.numbers.some((known) => close(value, known) || close(value, known * 100));
}

/** Numbers standing alone in the text: not the digits inside `eu-west-1`, `gpt-4o` or `5xx`. */
function quotedNumbers(item: string): number[] {
  return [...item.matchAll(numberPattern)]
    .filter((match) => {
      const before = item[(match.index ?? 0) - 1] ?? ' ';
      const after = item[(match.index ?? 0) + match[0].length] ?? ' ';
      return !/[A-Za-z_-]/.test(before) && !/[A-Za-z_]/.test(after);
    })
    .map((match) => Number(match[0]));
}

export function isGrounded(item: string, grounding: Grounding): boolean {
  const numbers = quotedNumbers(item);
  if (numbers.some((value) => !numberPresent(value, grounding))) return false;
  if (numbers.length > 0) return true;
  const lower = item.toLowerCase();
  for (const word of grounding.words) if (lower.includes(word)) return true;
  return false;
}
