import type { ConfigOf } from './config.ts';
import { plainText } from './text.ts';
import type { Notifier } from './types.ts';

export const consoleNotifier: Notifier<ConfigOf<'console'>> = {
  async send(_config, message, deps) {
    deps.write(`${plainText(message)}\n`);
    return { ok: true };
  },
};
