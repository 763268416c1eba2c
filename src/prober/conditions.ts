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

/** What a check observed; conditions read only these. */
export interface Observation {
  status: number;
  responseTimeMs: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  /** Milliseconds until the earliest certificate expires; undefined for plain HTTP. */
  certificateExpiresInMs?: number | undefined;
}

export type Evaluation = { ok: true } | { ok: false; reason: string; malformed?: boolean };

/** Reads a placeholder's value; `undefined` means "not present" (a JSON path that does not exist). */
function read(condition: Condition, observation: Observation): { value: unknown; malformed?: boolean } {
  switch (condition.placeholder) {
    case 'STATUS':
      return { value: observation.status };
    case 'RESPONSE_TIME':
      return { value: observation.responseTimeMs };
    case 'CERTIFICATE_EXPIRATION':
      return { value: observation.certificateExpiresInMs };
    case 'HEADER': {
      const header = observation.headers[condition.path[0] as string];
      return { value: Array.isArray(header) ? header.join(', ') : header };
    }
    case 'BODY': {
      if (condition.path.length === 0) return { value: observation.body };
      let json: unknown;
      try {
        json = JSON.parse(observation.body);
      } catch {
        return { value: undefined, malformed: true };
      }
      let node = json;
      for (const segment of condition.path) {
        node =
          node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
      }
      return { value: node };
    }
  }
}

const compare: Record<Operator, (left: unknown, condition: Condition) => boolean> = {
  '==': (left, c) => String(left) === String(c.value),
  '!=': (left, c) => String(left) !== String(c.value),
  '<': (left, c) => Number(left) < Number(c.value),
  '<=': (left, c) => Number(left) <= Number(c.value),
  '>': (left, c) => Number(left) > Number(c.value),
  '>=': (left, c) => Number(left) >= Number(c.value),
  contains: (left, c) =>
    Array.isArray(left) ? left.map(String).includes(String(c.value)) : String(left).includes(String(c.value)),
  matches: (left, c) => c.regex?.test(String(left)) ?? false,
};

export function evaluate(conditions: readonly Condition[], observation: Observation): Evaluation {
  for (const condition of conditions) {
    const { value, malformed } = read(condition, observation);
    if (malformed) return { ok: false, reason: `${condition.source}: body is not JSON`, malformed: true };
    const shown = typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (value === undefined || !compare[condition.operator](value, condition)) {
      return { ok: false, reason: `${condition.source} (was ${shown.slice(0, 80)})` };
    }
  }
  return { ok: true };
}
