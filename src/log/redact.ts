/**
 * Pattern redaction for free text that came from outside (an upstream's error message): the log's path
 * redaction cannot see a key inside a sentence. One row per shape, replaced by a marker so a reader still
 * sees that something was there.
 */
const patterns: readonly [RegExp, string][] = [
  // Authorization values.
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=*-]{8,}/gi, '$1 [redacted]'],
  // Provider-style keys, also as providers echo them half-masked (OpenAI: "sk-PLAN*****7890").
  [/\b(sk|pk|rk)-[A-Za-z0-9_*.-]{8,}/g, '[redacted-key]'],
  [
    /\b(xox[abprs]-[A-Za-z0-9-]{10,}|gh[pousr]_[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})/g,
    '[redacted-key]',
  ],
  // JWTs.
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[redacted-token]'],
  // key=value and key: value pairs whose key says secret.
  [
    /\b((?:api[_-]?key|token|secret|password|access[_-]?key)["']?\s*[:=]\s*["']?)[^\s"'&,;]{4,}/gi,
    '$1[redacted]',
  ],
  // Credentials in URLs.
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/:@]+:[^\s/@]+@/gi, '$1[redacted]@'],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}
