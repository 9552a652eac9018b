import type { InstrumentRegistry } from '@bourse/domain';
import type { Logger } from '@bourse/telemetry';
import { BinanceVenueClient, createBinanceMetrics, openRateBudget } from '@bourse/venue-binance';
import type { Registry } from 'prom-client';
import type { RunnerConfig } from './config.js';
import type { KlineSource } from './klines-history.js';

/**
 * The venue's instruments (tick, lot, min notional from exchangeInfo) for `ctx.instrument`, read once
 * at start through the Binance adapter's REST client with no key and no order connection. `none`:
 * strategies see `undefined` (the market maker then cannot round and emits nothing).
 */
export async function loadInstrumentSpecs(
  config: RunnerConfig,
  logger: Logger,
): Promise<InstrumentRegistry | undefined> {
  const reads = await openVenueReads(config, logger);
  if (reads === undefined) return undefined;
  await reads.close();
  return reads.instruments;
}

/** The venue's instrument specs and candles, read over REST with no key; close it on shutdown. */
export interface VenueReads {
  readonly instruments: InstrumentRegistry;
  /** Warm-up history: `GET /api/v3/klines` (the feed opens no stream for it). */
  readonly klines: KlineSource;
  close(): Promise<void>;
}

/** Like loadInstrumentSpecs, keeping the client open for klines; undefined with target `none`. */
export async function openVenueReads(
  config: RunnerConfig,
  logger: Logger,
  registry?: Registry,
): Promise<VenueReads | undefined> {
  if (config.venueTarget === 'none') {
    logger.warn({}, 'RUNNER_VENUE_TARGET=none: strategies get no instrument specs and no warm-up history');
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
  const metrics = createBinanceMetrics(registry);
  const rateBudget = await openRateBudget(config.rateBudget, {
    redisUrl: config.redisUrl,
    venue: 'binance',
    metrics,
    logger,
  });
  let client: BinanceVenueClient;
  try {
    client = await BinanceVenueClient.connect({
      options: { target, orderPath: 'rest', timeSyncIntervalMs: 0 },
      rateBudget: rateBudget.backend,
      metrics,
      logger,
    });
  } catch (err) {
    await rateBudget.close();
    throw err;
  }
  logger.debug({ venue: client.venue, target: config.venueTarget }, 'instrument specs loaded');
  // A market-data feed opens its socket on the first subscribe; klines are plain REST reads.
  const feed = client.marketData();
  const read = feed.klines?.bind(feed);
  return {
    instruments: client.instruments,
    klines: (symbol, interval, limit) =>
      read === undefined ? Promise.reject(new Error('the venue feed has no klines')) : read(symbol, interval, limit),
    close: async () => {
      await client.close();
      await rateBudget.close();
    },
  };
}
