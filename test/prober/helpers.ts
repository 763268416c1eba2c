import { performance } from 'node:perf_hooks';
import { fetch } from 'undici';
import { modelCheckSchema } from '../../src/config/prober-schema.ts';
import type { CheckDeps, FetchLike, ResolvedModelCheck } from '../../src/prober/checks/index.ts';

export const realDeps = (): CheckDeps => ({
  now: Date.now,
  clock: () => performance.now(),
  fetch: fetch as unknown as FetchLike,
});

/** A model check against a raw base URL, with schema defaults applied as config loading would. */
export function modelSpec(baseURL: string, input: Record<string, unknown>): ResolvedModelCheck {
  const parsed = modelCheckSchema.parse({ baseURL, ...input });
  return {
    ...parsed,
    providerName: 'fake',
    genAiProviderName: 'openai',
    endpoint: () => ({ baseURL, apiKey: 'sk-test', headers: {} }),
  };
}
