/**
 * A YAML syntax error as people read it: the reason, then the offending line of the file as written with a
 * caret under the column, between its neighbours (an indentation fault often sits on the next line). The
 * parser saw the text with `${VAR}` references swapped for tokens, so its column is mapped back.
 */
export function describeYamlError(error: unknown, original: string, shielded: string): string {
  const { message, linePos } = error as { message?: string; linePos?: { line: number; col: number }[] };
  const firstLine = String(message ?? error).split('\n')[0] ?? '';
  const reason = firstLine.replace(/\s+at line \d+, column \d+:?\s*$/, '').trim();
  const position = linePos?.[0];
  if (!position) return `(yaml): ${reason}`;
  const lineNumber = position.line;
  const lines = original.split(/\r?\n/);
  const originalLine = lines[lineNumber - 1] ?? '';
  const shieldedLine = shielded.split(/\r?\n/)[lineNumber - 1] ?? '';
  const column = originalColumn(originalLine, shieldedLine, position.col);
  const gutter = String(lineNumber + 1).length;
  const numbered = (number: number) => `    ${String(number).padStart(gutter)} | ${lines[number - 1]}`;
  const before = lineNumber > 1 && lines[lineNumber - 2]?.trim() ? [numbered(lineNumber - 1)] : [];
  const after = lines[lineNumber]?.trim() ? [numbered(lineNumber + 1)] : [];
  return [
    `(yaml) line ${lineNumber}, column ${column}: ${reason}`,
    ...before,
    numbered(lineNumber),
    `    ${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, column - 1))}^`,
    ...after,
  ].join('\n');
}

const token = /IWREF\d+FERWI/g;
const reference = /\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}/g;

/** Maps a 1-based column in the shielded line to the same place in the original line. */
function originalColumn(original: string, shielded: string, column: number): number {
  const tokens = [...shielded.matchAll(token)];
  const references = [...original.matchAll(reference)];
  let shift = 0;
  for (const [index, match] of tokens.entries()) {
    const start = match.index ?? 0;
    if (start >= column - 1) break;
    const originalLength = references[index]?.[0].length ?? match[0].length;
    // A column inside a token points at the start of its reference.
    if (column - 1 < start + match[0].length) return start + shift + 1;
    shift += originalLength - match[0].length;
  }
  return Math.max(1, column + shift);
}
