export { classifyNetworkError, classifyResponse, parseRetryAfter } from './classify.ts';
export { type Failure, type FailureType, failure, failureTypes } from './failure.ts';
export type { ProviderConfig, ProviderOptions } from './openai.ts';
export { createProvider, type ProviderFactory, providerFactories } from './registry.ts';
export { SSE_DONE, type SseEvent, SseParser, sseData } from './sse.ts';
export type {
  ChatCall,
  ChunkSource,
  Completion,
  HealthResult,
  ModelList,
  OpenStream,
  Provider,
  StreamChunk,
  StreamEnd,
  Usage,
} from './types.ts';
