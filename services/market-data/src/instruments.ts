import type { InstrumentRegistry } from '@bourse/domain';
import type { GatewayInstrument } from '@bourse/market-feed';
import { ConfigError } from './errors.js';

/**
 * Resolves the configured symbols against the venue's own instrument list: `BTCUSDT` (the venue's
 * spelling) and `BTC/USDT` (ours) both work. Throws ConfigError naming MD_INSTRUMENTS for a symbol
 * the venue does not list, so a typo stops the start instead of publishing nothing.
 */
export function resolveInstruments(symbols: readonly string[], registry: InstrumentRegistry): GatewayInstrument[] {
  const out = new Map<string, GatewayInstrument>();
  for (const symbol of symbols) {
    const spec = symbol.includes('/') ? registry.get(symbol) : registry.byVenueSymbol(symbol);
    if (spec === undefined) {
      const known = registry
        .list()
        .slice(0, 10)
        .map((s) => s.venueSymbol)
        .join(', ');
      throw new ConfigError(
        'MD_INSTRUMENTS',
        symbol,
        `MD_INSTRUMENTS lists "${symbol}", which venue ${registry.venue} does not trade (it lists ${known}${registry.size > 10 ? ', …' : ''})`,
      );
    }
    out.set(spec.symbol, { instrument: spec.symbol, venueSymbol: spec.venueSymbol.toUpperCase() });
  }
  return [...out.values()];
}
