import nodemailer from 'nodemailer';
import type { ConfigOf } from './config.ts';
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
      // SMTP reply classes: 4xx is transient, 5xx permanent; no reply at all (connection trouble) is retryable.
      const retryable = responseCode === undefined || responseCode < 500;
      return { ok: false, retryable, reason: `smtp ${responseCode ?? code ?? 'error'}` };
    } finally {
      deps.signal.removeEventListener('abort', abort);
      transport.close();
    }
  },
};
