import type { InstrumentRegistry } from '@bourse/domain';
import type { Logger } from '@bourse/telemetry';
import { BinanceVenueClient } from '@bourse/venue-binance';
import type { RunnerConfig } from './config.js';

/**
 * The venue's instruments (tick, lot, min notional from exchangeInfo) for `ctx.instrument`, read once
 * at start through the Binance adapter's REST client with no key and no order connection. `none`:
 * strategies see `undefined` (the market maker then cannot round and emits nothing).
 */
export async function loadInstrumentSpecs(
  config: RunnerConfig,
  logger: Logger,
): Promise<InstrumentRegistry | undefined> {
  if (config.venueTarget === 'none') {
    logger.warn({}, 'RUNNER_VENUE_TARGET=none: strategies get no instrument specs');
    return undefined;
  }
  const target =
    config.venueTarget === 'sim'
      ? {
          name: 'sim' as const,
          // Only REST is used; the stream URLs are derived for completeness.
          endpoints: {
            restUrl: config.simRestUrl,
            wsStreamUrl: config.simRestUrl.replace(/^http/, 'ws'),
            wsApiUrl: `${config.simRestUrl.replace(/^http/, 'ws')}/ws-api/v3`,
          },
        }
      : { name: config.venueTarget };
  const client = await BinanceVenueClient.connect({ options: { target, orderPath: 'rest', timeSyncIntervalMs: 0 } });
  try {
    const registry = client.instruments;
    logger.info({ venue: client.venue, target: config.venueTarget }, 'instrument specs loaded');
    return registry;
  } finally {
    await client.close();
  }
}
