import type { Config } from '../config/index.ts';
import type { TokenCount } from './tokens.ts';

type Price = Config['providers'][number]['pricing'][string];

export interface Pricing {
  /** USD for the tokens, or undefined when the model has no price configured (tokens only, then). */
  cost(provider: string, models: readonly (string | undefined)[], tokens: TokenCount): number | undefined;
}

/**
 * Prices from `providers[].pricing`, per upstream model; nothing is built in or fetched. The requested model
 * is looked up first, then the model the upstream says answered (a dated snapshot of an alias).
 */
export function createPricing(providers: Config['providers']): Pricing {
  const tables = new Map<string, ReadonlyMap<string, Price>>(
    providers.map((provider) => [provider.name, new Map(Object.entries(provider.pricing))]),
  );
  return {
    cost(provider, models, tokens) {
      const table = tables.get(provider);
      if (!table || table.size === 0) return undefined;
      let price: Price | undefined;
      for (const model of models) {
        price = model === undefined ? undefined : table.get(model);
        if (price) break;
      }
      if (!price) return undefined;
      const cached = Math.min(tokens.cachedInput, tokens.input);
      return (
        ((tokens.input - cached) * price.inputPerMillion +
          cached * (price.cachedInputPerMillion ?? price.inputPerMillion) +
          tokens.output * price.outputPerMillion) /
        1_000_000
      );
    },
  };
}
