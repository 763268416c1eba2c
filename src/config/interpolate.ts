/**
 * `${VAR}` and `${VAR:-fallback}` interpolation over a parsed YAML tree (never over raw text, so a value can
 * not inject YAML structure). A string that is exactly one unset `${VAR}` becomes `undefined`, which lets
 * optional keys such as `apiKey: ${OPENAI_API_KEY}` disappear instead of turning into an empty secret.
 */
const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const wholeReference = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * `${VAR}` inside a YAML flow map (`{ apiKey: ${KEY} }`, a spelling users write) is not valid YAML: the
 * brace opens a nested map. So references are swapped for plain tokens before parsing and swapped back
 * in the parsed strings, where `interpolate` resolves them. Values never pass through the YAML parser.
 */
export function shieldReferences(text: string): { text: string; restore: (value: string) => string } {
  const originals: string[] = [];
  const shielded = text.replace(reference, (match) => {
    originals.push(match);
    return `IWREF${originals.length - 1}FERWI`;
  });
  const token = /IWREF(\d+)FERWI/g;
  return {
    text: shielded,
    restore: (value) => value.replace(token, (_m, index: string) => originals[Number(index)] ?? ''),
  };
}

export interface Interpolation {
  value: unknown;
  /** Config path → name of the unset variable that left it empty; used to explain validation errors. */
  unset: Map<string, string>;
}

export function interpolate(
  tree: unknown,
  env: NodeJS.ProcessEnv,
  restore: (value: string) => string = (value) => value,
): Interpolation {
  const unset = new Map<string, string>();
  const walk = (node: unknown, path: string[]): unknown => {
    if (typeof node === 'string') return substitute(restore(node), path);
    if (Array.isArray(node)) {
      return node
        .map((item, index) => walk(item, [...path, String(index)]))
        .filter((item) => item !== undefined);
    }
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        const next = walk(value, [...path, key]);
        if (next !== undefined) out[key] = next;
      }
      return out;
    }
    return node;
  };
  const substitute = (text: string, path: string[]): string | undefined => {
    const whole = wholeReference.exec(text);
    if (whole) {
      const name = whole[1]!;
      const value = env[name];
      if (value === undefined || value === '') {
        unset.set(path.join('.'), name);
        return undefined;
      }
      return value;
    }
    return text.replace(reference, (_match, name: string, fallback: string | undefined) => {
      const value = env[name];
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      unset.set(path.join('.'), name);
      return '';
    });
  };
  return { value: walk(tree, []), unset };
}
