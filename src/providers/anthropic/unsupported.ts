import { type Failure, failure } from '../failure.ts';

/** Thrown while translating a request the Anthropic upstream cannot take; caught at the edge of it. */
export class UnsupportedRequest extends Error {
  readonly param: string | null;
  constructor(message: string, param: string | null) {
    super(message);
    this.name = 'UnsupportedRequest';
    this.param = param;
  }
}

/**
 * The refusal as the client sees it: a 400 shaped as OpenAI's, naming the field. It is a client error, so
 * it is answered at once rather than failed over (a request a target cannot translate is not an outage).
 */
export const unsupported = (error: UnsupportedRequest): Failure =>
  failure('client_error', error.message, {
    status: 400,
    body: {
      error: {
        message: error.message,
        type: 'invalid_request_error',
        code: 'unsupported_by_provider',
        param: error.param,
      },
    },
  });
