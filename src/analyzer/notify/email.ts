import nodemailer from 'nodemailer';
import { classifyNetworkError, type FailureType } from '../../providers/index.ts';
import type { ConfigOf } from './config.ts';
import { failedDelivery } from './http-outcome.ts';
import { plainText, title } from './text.ts';
import type { Notifier } from './types.ts';

export const email: Notifier<ConfigOf<'email'>> = {
  async send(config, message, deps) {
    const transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      ...(config.user ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 10_000,
    });
    const abort = () => transport.close();
    deps.signal.addEventListener('abort', abort, { once: true });
    try {
      await transport.sendMail({
        from: config.from,
        to: config.to,
        subject: title(message).slice(0, 250),
        text: plainText(message),
        headers: { 'X-Inferwatch-Delivery': message.deliveryId },
        messageId: `<${message.deliveryId}@inferwatch>`,
      });
      return { ok: true };
    } catch (error) {
      const { responseCode, code } = error as { responseCode?: number; code?: string };
      return failedDelivery({
        type: classifySmtpError(error),
        message: `smtp ${responseCode ?? code ?? 'error'}`,
      });
    } finally {
      deps.signal.removeEventListener('abort', abort);
      transport.close();
    }
  },
};

/** SMTP reply code → failure class (RFC 5321 reply classes), first match wins. */
const replyTable: readonly [test: (code: number) => boolean, type: FailureType][] = [
  [(c) => c === 530 || c === 534 || c === 535 || c === 538, 'auth'], // authentication required or refused
  // 4yz is a transient refusal: try later. 503 "bad sequence of commands" is the session's state, not a
  // refusal of the message: a new connection sends it.
  [(c) => c === 503 || (c >= 400 && c < 500), 'server_error'],
  [(c) => c >= 500, 'client_error'], // permanent: the message or a recipient is refused
];

/** Nodemailer's own codes for failures without a reply; a system error's code is kept in `originalCode`. */
const nodemailerCodes: Readonly<Record<string, FailureType>> = {
  EDNS: 'dns',
  ETLS: 'tls',
  ETIMEDOUT: 'timeout_total', // nodemailer's connection, greeting or socket timeout
  ECONNECTION: 'connection_reset', // closed unexpectedly
  EAUTH: 'auth',
  ENOAUTH: 'auth',
  EPROTOCOL: 'malformed_response', // not an SMTP reply
  EENVELOPE: 'client_error',
};

/** The shared failure class of a nodemailer error, so email failures read like every other delivery's. */
export function classifySmtpError(error: unknown): FailureType {
  const { responseCode, code, originalCode } = error as {
    responseCode?: number;
    code?: string;
    originalCode?: string;
  };
  if (responseCode !== undefined) {
    return replyTable.find(([test]) => test(responseCode))?.[1] ?? 'malformed_response';
  }
  if (originalCode) return classifyNetworkError({ code: originalCode }).type;
  if (code && Object.hasOwn(nodemailerCodes, code)) return nodemailerCodes[code] as FailureType;
  return classifyNetworkError(error).type;
}
