export { startExchangeSim, StateFileNotConfiguredError } from './server.js';
export type { RunningExchangeSim, LiquidityOrder, MarketTrade } from './server.js';
export { systemClock, DEFAULT_BALANCES, DEFAULT_MARKET_ACTIVITY, DEFAULT_RATE_LIMITS } from './types.js';
export type {
  Clock,
  ApiKeyConfig,
  RateLimitConfig,
  MarketActivityConfig,
  BalanceMap,
  ExchangeSimOptions,
} from './types.js';
export { FaultSpec, NO_FAULTS, parseFaultSpec, validateFaultSpec, InvalidFaultSpecError } from './faults.js';
export type { FaultSpecInput } from './faults.js';
export { DEFAULT_SYMBOLS, KNOWN_SYMBOLS, symbolSpec, UnknownSymbolError } from './exchange-info.js';
export type { SymbolSpec } from './exchange-info.js';
export { MARKET_MAKER_ACCOUNT, TAKER_ACCOUNT } from './activity/market-activity.js';
export { hmacHex, InvalidApiKeyConfigError } from './auth.js';
export type { StateReport } from './persistence.js';
export { ARCHIVE_AFTER_MS } from './retention.js';
