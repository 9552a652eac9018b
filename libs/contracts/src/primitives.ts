import { z } from 'zod';

// The vocabulary every message shares. Prices and quantities cross processes as decimal strings,
// never as JS numbers: a float cannot hold 0.1 exactly, and an order field must be exact.

/** A non-negative or negative decimal written plainly: digits, an optional fraction, no exponent. */
export const DECIMAL_PATTERN = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

export const DecimalString = z
  .string()
  // abort: the sign and cross-field checks built on top must only ever see a well-formed decimal.
  .regex(DECIMAL_PATTERN, {
    message: 'must be a decimal string such as "123.45" (no exponent, no float)',
    abort: true,
  });
export type DecimalString = z.infer<typeof DecimalString>;

export const PositiveDecimalString = DecimalString.refine((s) => !s.startsWith('-') && /[1-9]/.test(s), {
  message: 'must be a decimal string greater than zero',
});
export const NonNegativeDecimalString = DecimalString.refine((s) => !s.startsWith('-'), {
  message: 'must be a decimal string of zero or more',
});

/** Milliseconds since the Unix epoch, as the venue and our clocks give them. */
export const EpochMs = z.number().int().nonnegative();

export const ClientOrderId = z
  .string()
  .regex(/^[.A-Z:/a-z0-9_-]{1,36}$/, { message: 'must be 1-36 characters of .A-Z:/a-z0-9_-' })
  .brand<'ClientOrderId'>();
export type ClientOrderId = z.infer<typeof ClientOrderId>;

export const VenueOrderId = z.string().min(1).brand<'VenueOrderId'>();
export type VenueOrderId = z.infer<typeof VenueOrderId>;

export const VenueFillId = z.string().min(1).brand<'VenueFillId'>();
export type VenueFillId = z.infer<typeof VenueFillId>;

export const StrategyId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, {
    message: 'must be 1-32 characters of a-z0-9_- starting with a letter or digit',
  })
  .brand<'StrategyId'>();
export type StrategyId = z.infer<typeof StrategyId>;

/** Internal instrument symbol, venue-neutral: `BTC/USDT`. */
export const InstrumentSymbol = z
  .string()
  .regex(/^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/, { message: 'must look like BASE/QUOTE, e.g. BTC/USDT' })
  .brand<'InstrumentSymbol'>();
export type InstrumentSymbol = z.infer<typeof InstrumentSymbol>;

export const VenueId = z
  .string()
  .regex(/^[a-z0-9-]{1,32}$/, { message: 'must be a lower-case venue id such as "binance"' });
export type VenueId = z.infer<typeof VenueId>;

export const Side = z.enum(['BUY', 'SELL']);
export type Side = z.infer<typeof Side>;

/** How an intent or order executes. Maps onto Binance's MARKET, LIMIT, STOP_LOSS(_LIMIT), LIMIT_MAKER. */
export const OrderStyle = z.enum(['market', 'limit', 'limit-maker', 'stop', 'stop-limit']);
export type OrderStyle = z.infer<typeof OrderStyle>;

export const TimeInForce = z.enum(['GTC', 'IOC', 'FOK']);
export type TimeInForce = z.infer<typeof TimeInForce>;

/** The order lifecycle. `unknown` = submitted, outcome not yet known (a timeout is not a failure). */
export const OrderStatus = z.enum([
  'pending-new',
  'new',
  'partially-filled',
  'filled',
  'pending-cancel',
  'canceled',
  'pending-replace',
  'rejected',
  'expired',
  'unknown',
]);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const TERMINAL_ORDER_STATUSES: readonly OrderStatus[] = ['filled', 'canceled', 'rejected', 'expired'];

export const Liquidity = z.enum(['maker', 'taker']);
export type Liquidity = z.infer<typeof Liquidity>;

export const TradingMode = z.enum(['ACTIVE', 'REDUCING', 'HALTED']);
export type TradingMode = z.infer<typeof TradingMode>;

/** Id of one intent, chosen by the strategy runner; the risk decision and the order request point back at it. */
export const IntentId = z
  .string()
  .regex(/^[A-Za-z0-9_:.-]{1,64}$/, { message: 'must be 1-64 characters of A-Za-z0-9_:.-' })
  .brand<'IntentId'>();
export type IntentId = z.infer<typeof IntentId>;

/** Idempotency key of an event: applying the same event id twice changes nothing. */
export const EventId = z
  .string()
  .regex(/^[\x21-\x7e]{1,128}$/, { message: 'must be 1-128 printable characters without spaces' })
  .brand<'EventId'>();
export type EventId = z.infer<typeof EventId>;

/** Symbol as the venue spells it (`BTCUSDT`); also safe as a NATS subject token. */
export const VenueSymbol = z
  .string()
  .regex(/^[A-Z0-9]{1,30}$/, { message: 'must be 1-30 upper-case letters or digits, e.g. BTCUSDT' });
export type VenueSymbol = z.infer<typeof VenueSymbol>;

/** An asset code such as BTC, USDT, BNB. */
export const AssetCode = z
  .string()
  .regex(/^[A-Z0-9]{1,20}$/, { message: 'must be 1-20 upper-case letters or digits, e.g. USDT' });
export type AssetCode = z.infer<typeof AssetCode>;
