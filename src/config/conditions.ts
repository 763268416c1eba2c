/**
 * A small condition language for HTTP checks, in the spirit of Gatus:
 *   [STATUS] == 200 && [RESPONSE_TIME] < 300
 *   [BODY].status == ok          [BODY].data[0].name contains "alpha"     [BODY].version matches ^1\.
 *   [HEADER].content-type contains json                                   [CERTIFICATE_EXPIRATION] > 72h
 * Left side: one placeholder; right side: a number, a duration (ms, s, m, h, d), a quoted string or a bare
 * word. Times compare in milliseconds. Parsing happens at config load so a typo fails there, with its column.
 */
export const placeholders = ['STATUS', 'RESPONSE_TIME', 'BODY', 'HEADER', 'CERTIFICATE_EXPIRATION'] as const;
export type Placeholder = (typeof placeholders)[number];

const operators = ['==', '!=', '<=', '>=', '<', '>', 'contains', 'matches'] as const;
export type Operator = (typeof operators)[number];

export type PathSegment = string | number;

export interface Condition {
  source: string;
  placeholder: Placeholder;
  /** JSON path under [BODY], or the header name under [HEADER]. */
  path: PathSegment[];
  operator: Operator;
  value: string | number;
  regex?: RegExp | undefined;
}

export type ParseResult = { ok: true; conditions: Condition[] } | { ok: false; error: string };

const durationUnits = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses one config string; `&&` joins several conditions that must all hold. */
export function parseConditions(source: string): ParseResult {
  const conditions: Condition[] = [];
  let offset = 0;
  for (const part of source.split('&&')) {
    const parsed = parseOne(part, offset);
    if ('error' in parsed) return { ok: false, error: `${parsed.error} in "${source}"` };
    conditions.push({ ...parsed, source: part.trim() });
    offset += part.length + 2;
  }
  return { ok: true, conditions };
}

function parseOne(text: string, offset: number): Omit<Condition, 'source'> | { error: string } {
  const at = (index: number) => `at column ${offset + index + 1}`;
  const lead = text.length - text.trimStart().length;
  const body = text.trim();
  const placeholder = /^\[([A-Z_]+)\]/.exec(body);
  if (!placeholder) return { error: `expected a placeholder such as [STATUS] ${at(lead)}` };
  const name = placeholder[1] as Placeholder;
  if (!placeholders.includes(name)) {
    return { error: `unknown placeholder [${name}] ${at(lead)} (known: ${placeholders.join(', ')})` };
  }
  let rest = body.slice(placeholder[0].length);
  let path: PathSegment[] = [];
  if (name === 'BODY' || name === 'HEADER') {
    const pathMatch = /^((?:\.[A-Za-z0-9_$-]+|\[\d+\])*)/.exec(rest);
    const raw = pathMatch?.[1] ?? '';
    path = [...raw.matchAll(/\.([A-Za-z0-9_$-]+)|\[(\d+)\]/g)].map((m) =>
      m[2] === undefined ? (m[1] as string) : Number(m[2]),
    );
    rest = rest.slice(raw.length);
    if (name === 'HEADER' && (path.length !== 1 || typeof path[0] !== 'string')) {
      return { error: `[HEADER] needs one header name, e.g. [HEADER].content-type, ${at(lead)}` };
    }
    if (name === 'HEADER') path = [(path[0] as string).toLowerCase()];
  }
  const opIndex = body.length - rest.length;
  const trimmed = rest.trimStart();
  const operator = operators.find((op) =>
    /^[a-z]/.test(op) ? new RegExp(`^${op}(\\s|$)`).test(trimmed) : trimmed.startsWith(op),
  );
  if (!operator) {
    return {
      error: `expected an operator (${operators.join(' ')}) ${at(lead + opIndex + rest.length - trimmed.length)}`,
    };
  }
  const rawValue = trimmed.slice(operator.length).trim();
  if (rawValue === '') return { error: `missing value after "${operator}" ${at(lead + body.length)}` };
  if (/^[=<>!]/.test(rawValue)) {
    return { error: `unknown operator "${operator}${rawValue[0]}" ${at(lead + opIndex)}` };
  }
  const value = parseValue(rawValue);
  const numericOnly = operator.length <= 2 && operator !== '==' && operator !== '!=';
  if (numericOnly && typeof value !== 'number') {
    return { error: `"${operator}" needs a number or duration, got "${rawValue}" ${at(lead + opIndex)}` };
  }
  let regex: RegExp | undefined;
  if (operator === 'matches') {
    try {
      regex = new RegExp(String(value));
    } catch (error) {
      return { error: `invalid regular expression: ${(error as Error).message} ${at(lead + opIndex)}` };
    }
  }
  return { placeholder: name, path, operator, value, regex };
}

function parseValue(raw: string): string | number {
  const quoted = /^"(.*)"$|^'(.*)'$/.exec(raw);
  if (quoted) return quoted[1] ?? quoted[2] ?? '';
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(raw);
  if (duration) return Number(duration[1]) * durationUnits[duration[2] as keyof typeof durationUnits];
  return raw;
}
