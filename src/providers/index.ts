export { type AttemptTimers, startAttempt } from './attempt-timers.ts';
export { type BackoffSettings, fullJitterDelay } from './backoff.ts';
export {
  type Callee,
  classifyErrorEvent,
  classifyNetworkError,
  classifyResponse,
  classifyStatus,
} from './classify.ts';
export { type Failure, type FailureType, failure, failureTypes } from './failure.ts';
export { genAiProviderByType, genAiProviderName, serverOf } from './gen-ai-provider.ts';
export type { ProviderConfig, ProviderOptions } from './openai.ts';
export { readText } from './read-body.ts';
export { createProvider, type ProviderFactory, providerFactories } from './registry.ts';
export type { SlotSnapshot } from './request-slots.ts';
export { type HeaderSource, parseRetryAfter } from './retry-after.ts';
export { SSE_DONE, type SseEvent, SseParser, sseData } from './sse.ts';
export { readChatStream } from './stream-reader.ts';
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
