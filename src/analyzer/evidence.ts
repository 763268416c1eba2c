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
  // Longer strings (annotations) count when quoted verbatim.
  for (const match of contextText.matchAll(/"([^"\\]{12,300})"/g)) words.add((match[1] ?? '').toLowerCase());
  return { numbers, words };
}

/** The ways a writer may legitimately round a number: 0–3 decimals or 1–4 significant digits. */
function roundings(value: number): number[] {
  const out = [value];
  for (let decimals = 0; decimals <= 3; decimals += 1) out.push(Number(value.toFixed(decimals)));
  for (let digits = 1; digits <= 4; digits += 1) out.push(Number(value.toPrecision(digits)));
  return out;
}

function numberPresent(value: number, grounding: Grounding): boolean {
  // A rounding of a context number, or of its percent form (0.9312 → 93.1%), and nothing looser.
  return grounding.numbers.some(
    (known) =>
      roundings(known).includes(value) || roundings(known * 100).some((r) => Math.abs(r - value) < 1e-9),
  );
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
