import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { badRequest } from '../http/index.ts';
import { runStream, sendBody } from './answer.ts';
import { sendError } from './chat.ts';
import { type Format, openAIFormat } from './generate.ts';
import type { Instance } from './instances.ts';
import { countPromptTokens, validateChatRequest } from './replies.ts';
import {
  validateCompletionRequest,
  validateEmbeddingsRequest,
  validateResponsesRequest,
} from './requests.ts';
import { chatBody, chatStreamWire } from './wire/openai-chat.ts';
import { completionBody, completionStreamWire } from './wire/openai-completions.ts';
import { responseObject, responsesStreamWire } from './wire/openai-responses.ts';

/** OpenAI's endpoints, each a format of the one generation handler (generate.ts). */

export const chatFormat: Format = {
  ...openAIFormat,
  validate: validateChatRequest,
  async respond(exchange, { request, plan, answer }) {
    const reply = answer('chatcmpl-');
    if (request.stream) return runStream(exchange, reply, plan, chatStreamWire(exchange.res, reply, plan));
    return sendBody(exchange, chatBody(reply, plan), reply.tokens.length, plan);
  },
};

export const completionsFormat: Format = {
  ...openAIFormat,
  validate: validateCompletionRequest,
  async respond(exchange, { request, plan, answer }) {
    const reply = answer('cmpl-');
    if (request.stream)
      return runStream(exchange, reply, plan, completionStreamWire(exchange.res, reply, plan));
    return sendBody(exchange, completionBody(reply, plan), reply.tokens.length, plan);
  },
};

/** Stored responses kept per instance; the oldest goes first past it. */
const maxStoredResponses = 256;

function store(instance: Instance, id: string, body: string): void {
  instance.responses.set(id, body);
  if (instance.responses.size > maxStoredResponses) {
    const oldest = instance.responses.keys().next().value;
    if (oldest !== undefined) instance.responses.delete(oldest);
  }
}

export const responsesFormat: Format = {
  ...openAIFormat,
  validate: validateResponsesRequest,
  async respond(exchange, { request, plan, answer, instance }) {
    // As at OpenAI, a continuation must name a response this instance stored: that is what ties such a
    // request to the provider that holds the conversation.
    const previous = request.previousResponseId;
    if (previous && !instance.responses.has(previous)) {
      return sendError(
        exchange.res as Response,
        badRequest(
          `Previous response with id '${previous}' not found.`,
          'previous_response_not_found',
          'previous_response_id',
        ),
      );
    }
    const reply = answer('resp_');
    const context = {
      previousResponseId: request.previousResponseId ?? null,
      store: request.store !== false,
    };
    const body = JSON.stringify(responseObject(reply, plan, context, 'completed'));
    // Stored before it is sent: a client may continue it the moment it has the id.
    if (context.store) store(instance, reply.id, body);
    if (request.stream) {
      return runStream(exchange, reply, plan, responsesStreamWire(exchange.res, reply, plan, context));
    }
    return sendBody(exchange, body, reply.tokens.length, plan);
  },
};

/** A deterministic unit vector per text: the same input always embeds the same way. */
function embed(text: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block += 1) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 1 < digest.length && values.length < dimensions; i += 2) {
      values.push((digest.readUInt16LE(i) / 65535) * 2 - 1);
    }
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((value) => value / norm);
}

/** OpenAI's base64 encoding: the vector's float32 values, little-endian, as base64. */
const base64 = (vector: number[]) => Buffer.from(new Float32Array(vector).buffer).toString('base64');

export const embeddingsFormat: Format = {
  ...openAIFormat,
  validate: validateEmbeddingsRequest,
  async respond(exchange, { request, plan }) {
    const { inputs, encoding, dimensions } = request.embedding ?? {
      inputs: [],
      encoding: 'float',
      dimensions: 8,
    };
    const promptTokens = countPromptTokens(request.messages);
    const data =
      plan.shape === 'no-choices'
        ? []
        : inputs.map((text, index) => {
            const vector = embed(text, dimensions);
            return { object: 'embedding', index, embedding: encoding === 'base64' ? base64(vector) : vector };
          });
    const body = JSON.stringify({
      object: 'list',
      data,
      model: request.model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    });
    return sendBody(exchange, body, 0, plan);
  },
};
