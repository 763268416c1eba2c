export { classifyNetworkError, classifyResponse, parseRetryAfter } from './classify.ts';
export { type Failure, type FailureType, failure, failureTypes } from './failure.ts';
export type { ProviderConfig, ProviderOptions } from './openai.ts';
export { createProvider, type ProviderFactory, providerFactories } from './registry.ts';
export type { SlotSnapshot } from './request-slots.ts';
export { SSE_DONE, type SseEvent, SseParser, sseData } from './sse.ts';
export type {
  CallTally,
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
export { emptyTally } from './types.ts';
