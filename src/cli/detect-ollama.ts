/** Where a local Ollama answers by default (its OpenAI-compatible API). */
export const defaultOllamaURL = 'http://127.0.0.1:11434/v1';

export interface DetectOllamaOptions {
  baseURL?: string;
  fetch?: typeof globalThis.fetch;
  /** Start-up waits at most this long: a missing Ollama must not slow `npm start` down noticeably. */
  timeoutMs?: number;
}

/**
 * True when an OpenAI-compatible model list answers at `baseURL` (GET /models with a 2xx JSON body that
 * has a `data` array). Any error or timeout means "no Ollama here", never a failure to start.
 */
export async function detectOllama({
  baseURL = defaultOllamaURL,
  fetch = globalThis.fetch,
  timeoutMs = 400,
}: DetectOllamaOptions = {}): Promise<boolean> {
  try {
    const response = await fetch(`${baseURL.replace(/\/$/, '')}/models`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return false;
    const body = (await response.json()) as { data?: unknown };
    return Array.isArray(body.data);
  } catch {
    return false;
  }
}

/**
 * The environment the embedded defaults are built from. With OPENAI_API_KEY set and no OLLAMA_BASE_URL,
 * a local Ollama that answers becomes the fallback (config loading itself stays synchronous).
 */
export async function embeddedEnvironment(
  env: NodeJS.ProcessEnv,
  detect: (baseURL: string) => Promise<boolean> = (baseURL) => detectOllama({ baseURL }),
): Promise<{ env: NodeJS.ProcessEnv; ollamaDetected: boolean }> {
  if (!env.OPENAI_API_KEY || env.OLLAMA_BASE_URL) return { env, ollamaDetected: false };
  if (!(await detect(defaultOllamaURL))) return { env, ollamaDetected: false };
  return { env: { ...env, OLLAMA_BASE_URL: defaultOllamaURL }, ollamaDetected: true };
}
