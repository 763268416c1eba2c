import type { Condition, Operator } from '../config/conditions.ts';

export type { Condition } from '../config/conditions.ts';
export { parseConditions } from '../config/conditions.ts';

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
