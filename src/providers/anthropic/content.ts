import { UnsupportedRequest } from './unsupported.ts';

/** One Anthropic content block (text, image, document, tool_use, tool_result). */
export type Block = { type: string } & Record<string, unknown>;

interface Part {
  type?: unknown;
  text?: unknown;
  refusal?: unknown;
  image_url?: { url?: unknown } | string;
  file?: { file_data?: unknown };
}

/** `data:<media type>;base64,<data>`: how OpenAI clients inline images and files. */
const dataURL = /^data:([\w.+-]+\/[\w.+-]+);base64,(.*)$/s;

/**
 * A chat message's content (a string, null, or an array of parts) → Anthropic blocks. Empty text is
 * left out: the Messages API refuses an empty text block.
 */
export function toBlocks(content: unknown, param: string): Block[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) {
    throw new UnsupportedRequest(
      `'${param}.content' must be a string or an array of parts.`,
      `${param}.content`,
    );
  }
  return content.flatMap((part: Part, index) => toBlock(part, `${param}.content[${index}]`));
}

function toBlock(part: Part, param: string): Block[] {
  switch (part?.type) {
    case 'text':
      if (typeof part.text !== 'string')
        throw new UnsupportedRequest(`'${param}.text' must be a string.`, param);
      return part.text === '' ? [] : [{ type: 'text', text: part.text }];
    case 'refusal':
      return typeof part.refusal === 'string' && part.refusal !== ''
        ? [{ type: 'text', text: part.refusal }]
        : [];
    case 'image_url':
      return [image(part.image_url, param)];
    case 'file':
      return [document(part.file?.file_data, param)];
    default:
      throw new UnsupportedRequest(
        `'${param}' is a ${String(part?.type)} part; the Anthropic provider translates text, image_url and PDF file parts.`,
        param,
      );
  }
}

function image(value: Part['image_url'], param: string): Block {
  const url = typeof value === 'string' ? value : value?.url;
  if (typeof url !== 'string')
    throw new UnsupportedRequest(`'${param}.image_url.url' must be a string.`, param);
  const inline = dataURL.exec(url);
  if (inline) return { type: 'image', source: { type: 'base64', media_type: inline[1], data: inline[2] } };
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw new UnsupportedRequest(
    `'${param}.image_url.url' must be an http(s) URL or a base64 data URL.`,
    param,
  );
}

function document(data: unknown, param: string): Block {
  const inline = typeof data === 'string' ? dataURL.exec(data) : null;
  if (inline?.[1] !== 'application/pdf') {
    throw new UnsupportedRequest(`'${param}.file.file_data' must be a base64 data URL of a PDF.`, param);
  }
  return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: inline[2] } };
}

/** A tool message's content → a tool_result's content: a string, or its text and image blocks. */
export function toolResultContent(content: unknown, param: string): string | Block[] {
  if (typeof content === 'string') return content;
  return toBlocks(content, param);
}
