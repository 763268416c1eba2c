import { accessSync, constants } from 'node:fs';
import { describe, it } from 'vitest';

/** One thing a test file needs from the machine, and how to get it. */
export interface Requirement {
  /** What is needed, as a person would name it ("Chromium (/usr/bin/chromium)"). */
  what: string;
  met: boolean;
  /** The command or step that provides it. */
  fix: string;
}

/** True when this run is CI: a missing tool there is a broken machine, not a reason to skip. */
export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}

/** An executable file at `path` (a binary, or a venv's script). */
export function executable(what: string, path: string, fix: string): Requirement {
  let met = true;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    met = false;
  }
  return { what: `${what} (${path})`, met, fix };
}

/**
 * The one gate for tests that need a tool the machine may lack (the Python SDK venv, schemathesis,
 * Chromium, promtool, the Collector, a mountable tmpfs). Returns whether they may run. When something is
 * missing, a test named after the reason is registered: skipped locally, so the reporter shows why, and
 * failing under CI, where a missing tool must never pass for green. Guard the file's own hooks and suites
 * with the result (`describe.skipIf(!ready)`).
 */
export function requireTools(
  requirements: readonly Requirement[],
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const unmet = requirements.filter((requirement) => !requirement.met);
  if (unmet.length === 0) return true;
  const reason = unmet.map((requirement) => `${requirement.what} is missing (${requirement.fix})`).join('; ');
  if (inCI(env)) {
    describe('required tools', () => {
      it(`are installed: ${reason}`, () => {
        throw new Error(`CI must have every tool the tests use: ${reason}`);
      });
    });
  } else {
    console.warn(`skipping tests: ${reason}`);
    describe('required tools', () => {
      it.skip(`skipped because ${reason}`, () => {});
    });
  }
  return false;
}
