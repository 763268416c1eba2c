import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type JsonObject = Record<string, unknown>;

export interface Checked {
  ok: boolean;
  problems: string[];
}

/**
 * Validates real responses against an OpenAPI 3.1 document: the status must be documented (exactly or as
 * 4XX/5XX), the content type must be one the operation lists, and a JSON body must match its schema.
 */
export function createResponseValidator(document: JsonObject) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
  ajv.addSchema(document, 'openapi');
  const compiled = new Map<string, ReturnType<Ajv2020['compile']>>();
  const compileRef = (ref: string) => {
    let validate = compiled.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: `openapi${ref}` });
      compiled.set(ref, validate);
    }
    return validate;
  };
  const paths = document.paths as Record<string, Record<string, { responses: Record<string, JsonObject> }>>;

  return function check(
    method: string,
    template: string,
    status: number,
    contentType: string | null,
    body: unknown,
  ): Checked {
    const operation = paths[template]?.[method.toLowerCase()];
    if (!operation) return { ok: false, problems: [`${method} ${template} is not in the document`] };
    const responses = operation.responses;
    const response = responses[String(status)] ?? responses[`${String(status)[0]}XX`];
    if (!response) return { ok: false, problems: [`status ${status} is not documented`] };
    const content = response.content as Record<string, { schema: JsonObject }> | undefined;
    if (!content) return { ok: true, problems: [] };
    const media = (contentType ?? '').split(';')[0]?.trim() ?? '';
    const entry = content[media];
    if (!entry) return { ok: false, problems: [`content type ${media} not in ${Object.keys(content)}`] };
    if (media !== 'application/json') return { ok: true, problems: [] };
    const schema = entry.schema;
    const validate = typeof schema.$ref === 'string' ? compileRef(schema.$ref) : ajv.compile(schema);
    if (validate(body)) return { ok: true, problems: [] };
    return {
      ok: false,
      problems: (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`),
    };
  };
}
