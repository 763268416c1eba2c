import type { Request, Response, Router } from 'express';
import { HttpError, presentedToken } from '../http/index.ts';
import { messagesFormat } from './anthropic-format.ts';
import { type ChatDeps, handleModels, type SimRequest, sendError } from './chat.ts';
import { chatFormat, completionsFormat, embeddingsFormat, responsesFormat } from './formats.ts';
import { type Format, handleGeneration } from './generate.ts';
import type { Instance } from './instances.ts';

/** Path under `/v1` (OpenAI's and Anthropic's) → the format it speaks. */
const v1Formats = {
  '/chat/completions': chatFormat,
  '/completions': completionsFormat,
  '/embeddings': embeddingsFormat,
  '/responses': responsesFormat,
  '/messages': messagesFormat,
} as const satisfies Record<string, Format>;

/** Azure addresses these by deployment: `/openai/deployments/{deployment}/chat/completions?api-version=…`. */
const deploymentFormats = {
  '/chat/completions': chatFormat,
  '/completions': completionsFormat,
  '/embeddings': embeddingsFormat,
} as const satisfies Record<string, Format>;

/**
 * Azure's credential is the `api-key` header (a resource key) or a bearer token (Entra ID); Azure ignores
 * the body's model on a deployment URL and serves the deployment, so its name (faults included) is the model.
 */
function azure(format: Format, deployment?: string): Format {
  return {
    ...format,
    credential: (req) =>
      typeof req.headers['api-key'] === 'string'
        ? req.headers['api-key']
        : req.headers.authorization === undefined
          ? undefined
          : presentedToken(req.headers),
    validate: (body, instance, req) =>
      format.validate(
        deployment !== undefined && typeof body === 'object' && body !== null
          ? { ...body, model: deployment }
          : body,
        instance,
        req,
      ),
  };
}

const needsApiVersion = (req: SimRequest) =>
  new URL(req.url ?? '/', 'http://simulator').searchParams.has('api-version')
    ? undefined
    : new HttpError(400, 'Missing required query parameter: api-version (simulated).', {
        code: 'missing_api_version',
      });

/**
 * The provider routes, mounted twice: at the root for the default instance, and under `/:instance`. Each
 * wire format the gateway speaks upstream is here: OpenAI's `/v1/...`, Anthropic's `/v1/messages`, and
 * Azure OpenAI's `/openai/v1/...` and `/openai/deployments/{deployment}/...?api-version=`.
 */
export function addProviderRoutes(
  router: Router,
  deps: ChatDeps,
  instanceOf: (req: Request) => Instance,
): void {
  const serve = (format: Format) => (req: Request, res: Response) =>
    handleGeneration(instanceOf(req), req, res, deps, format);
  for (const prefix of ['', '/:instance']) {
    router.get(`${prefix}/v1/models`, (req, res) => handleModels(instanceOf(req), res, deps));
    router.get(`${prefix}/openai/v1/models`, (req, res) => handleModels(instanceOf(req), res, deps));
    router.get(`${prefix}/openai/models`, (req, res) => handleModels(instanceOf(req), res, deps));
    for (const [path, format] of Object.entries(v1Formats)) {
      router.post(`${prefix}/v1${path}`, serve(format));
      if (format !== messagesFormat) router.post(`${prefix}/openai/v1${path}`, serve(azure(format)));
    }
    router.get(`${prefix}/v1/responses/:id`, (req, res) =>
      retrieveResponse(instanceOf(req), String(req.params.id), res),
    );
    router.get(`${prefix}/openai/v1/responses/:id`, (req, res) =>
      retrieveResponse(instanceOf(req), String(req.params.id), res),
    );
    router.post(`${prefix}/openai/responses`, (req, res) =>
      handleGeneration(instanceOf(req), req, res, deps, {
        ...azure(responsesFormat),
        precheck: needsApiVersion,
      }),
    );
    for (const [path, format] of Object.entries(deploymentFormats)) {
      router.post(`${prefix}/openai/deployments/:deployment${path}`, (req, res) =>
        handleGeneration(instanceOf(req), req, res, deps, {
          ...azure(format, String(req.params.deployment)),
          precheck: needsApiVersion,
        }),
      );
    }
  }
}

/** `GET /v1/responses/{id}`: a response this instance stored, or OpenAI's 404. */
function retrieveResponse(instance: Instance, id: string, res: Response): void {
  const body = instance.responses.get(id);
  if (body === undefined) {
    sendError(
      res,
      new HttpError(404, `No response found with id '${id}'.`, { code: 'not_found', param: 'response_id' }),
    );
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}
