export { API_KEY_INDEX, type ApiKeyAuthOptions, clientName, requireApiKey } from './auth.ts';
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
export {
  type Listening,
  type ListenOptions,
  listen,
  refuseUnclaimedUpgrades,
  refuseUpgrade,
  requestPath,
} from './listen.ts';
export { parseLimit } from './query.ts';
export { matchesAny, matchingIndex, presentedToken, securityHeaders } from './security.ts';
