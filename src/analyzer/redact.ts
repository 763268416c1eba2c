/**
 * Redaction applied to every string sent to the LLM. Patterns, not a denylist of keys: a secret can sit in
 * an annotation, a URL or a label value. One row per shape, replaced by a typed placeholder so the model
 * still knows something was there.
 */
const patterns: readonly [RegExp, string][] = [
  // Authorization headers and bearer tokens.
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [REDACTED_TOKEN]'],
  // Provider-style API keys (OpenAI sk-, Anthropic sk-ant-, Slack xox*, GitHub ghp_, AWS AKIA, Google AIza).
  [
    /\b(sk-[A-Za-z0-9_-]{12,}|xox[abprs]-[A-Za-z0-9-]{10,}|gh[pousr]_[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})\b/g,
    '[REDACTED_KEY]',
  ],
  // JWTs.
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, '[REDACTED_TOKEN]'],
  // key=value / key: value pairs whose key says secret.
  [
    /\b((?:api[_-]?key|token|secret|password|passwd|pwd|access[_-]?key|auth)["']?\s*[:=]\s*["']?)[^\s"'&,;]{4,}/gi,
    '$1[REDACTED]',
  ],
  // Credentials in URLs (scheme://user:pass@host).
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/:@]+:[^\s/@]+@/gi, '$1[REDACTED]@'],
  // Emails.
  [/\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, '[REDACTED_EMAIL]'],
  // IPv4 and IPv6 addresses.
  [/\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g, '[REDACTED_IP]'],
  [/\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b/gi, '[REDACTED_IP]'],
  // Long high-entropy strings (hex or base64 of 32+ chars) are likely secrets.
  [/\b[A-Fa-f0-9]{40,}\b/g, '[REDACTED_SECRET]'],
];

export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}

/** Redacts every string (keys included) inside a JSON-like value. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [redact(key), redactDeep(inner)]),
    ) as T;
  return value;
}
