import { MarketDataError, MarketDataErrorCode } from '@bourse/market-feed';

// The gateway service's own error, beside the market feed's (`@bourse/market-feed`: `MarketDataError`
// and its codes, `InvalidOptionError`, `RecordingCorruptError`, …), which it extends.

/** An environment variable that is missing or wrong; names the variable. */
export class ConfigError extends MarketDataError {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    shown: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(MarketDataErrorCode.INVALID_CONFIG, shown, message, options);
  }
}
