import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const RESULTS_FILE = 'bench/RESULTS.md';

const heading =
  "# Benchmark results\n\nNumbers measured on this project's CI-class machine; each section says how it was produced.\n";

/**
 * Writes one benchmark's section of bench/RESULTS.md between `<!-- name:start -->` and `<!-- name:end -->`,
 * replacing the previous run's section and leaving the other benchmarks' sections alone.
 */
export function writeResultsSection(name: string, body: string, file = RESULTS_FILE): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : heading;
  const marked = new RegExp(`${start}[\\s\\S]*?${end}`);
  const next = marked.test(current)
    ? current.replace(marked, () => section)
    : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
