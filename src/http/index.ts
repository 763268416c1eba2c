export { type ApiKeyAuthOptions, requireApiKey } from './auth.ts';
export { DEFAULT_MAX_JSON_DEPTH, readJsonBody } from './body.ts';
export {
  badRequest,
  createErrorRenderer,
  errorBody,
  HttpError,
  notFound,
  payloadTooLarge,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
} from './errors.ts';
export { type Listening, type ListenOptions, listen, refuseUpgrade, requestPath } from './listen.ts';
export { parseLimit } from './query.ts';
export { matchesAny, presentedToken, securityHeaders } from './security.ts';
