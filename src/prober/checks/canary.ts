import type { ModelCheckConfig } from '../../config/prober-schema.ts';

type Expectation = NonNullable<ModelCheckConfig['canary']>['expect'];

/** Strips what models wrap answers in: surrounding whitespace, quotes, a trailing full stop, code fences. */
const normalise = (text: string) =>
  text
    .trim()
    .replace(/^```(?:json)?\s*|\s*```$/g, '')
    .replace(/^["'`]|["'`]$/g, '')
    .replace(/\.$/, '')
    .trim();

const isJson = (text: string) => {
  try {
    JSON.parse(normalise(text));
    return true;
  } catch {
    return false;
  }
};

/** Every expectation that is set must hold. */
export function judgeCanary(expect: Expectation, answer: string): boolean {
  if (expect.exact !== undefined && normalise(answer) !== expect.exact) return false;
  if (expect.regex !== undefined && !new RegExp(expect.regex).test(answer)) return false;
  if (expect.json === true && !isJson(answer)) return false;
  return true;
}
