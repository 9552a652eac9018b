import { z } from 'zod';
import { ExecutionConstraints, checkOrderShape } from './order-shape.js';
import {
  EpochMs,
  InstrumentSymbol,
  IntentId,
  OrderStyle,
  PositiveDecimalString,
  Side,
  StrategyId,
  TimeInForce,
  VenueId,
} from './primitives.js';

/** Version of the strategy's code or parameters that made the decision, e.g. `1.4.0` or a git sha. */
export const StrategyVersion = z.string().regex(/^[A-Za-z0-9_.+-]{1,64}$/, {
  message: 'must be 1-64 characters of A-Za-z0-9_.+-',
});
export type StrategyVersion = z.infer<typeof StrategyVersion>;

/**
 * sha256 (64 lowercase hex) of the strategy's code: its module and the files of the user's it imports,
 * or a built-in's source (the strategy loader's `codeHash`). With the version, says which code decided.
 */
export const CodeHash = z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be 64 lowercase hex characters (sha256)' });
export type CodeHash = z.infer<typeof CodeHash>;

/**
 * What the strategy saw when it decided: indicator values and the prices it used, by name. Values are
 * strings (decimals as decimal strings) so the record replays exactly; a float would not.
 */
export const DecisionInputs = z.record(
  z.string().regex(/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/, {
    message: 'input names must be 1-64 characters of A-Za-z0-9_.:- starting with a letter',
  }),
  z.string().max(256),
);
export type DecisionInputs = z.infer<typeof DecisionInputs>;

/**
 * A strategy's wish to trade. Never an order: the risk gate checks it and either turns it into an
 * OrderRequest or rejects it. Sizing is `qty` in the base asset, or `quoteQty`, a quote-asset notional
 * (what a "fraction of equity" rule yields), which the risk gate converts to a qty unless the order is
 * a market order the venue can size in quote itself.
 */
export const Intent = z
  .object({
    v: z.literal(1),
    id: IntentId,
    strategyId: StrategyId,
    strategyVersion: StrategyVersion,
    /**
     * The hash of the strategy's code when it decided (the strategy runner sets it from the loaded
     * strategy); optional for messages written before it, and for strategies not loaded by the loader.
     */
    codeHash: CodeHash.optional(),
    venue: VenueId,
    instrument: InstrumentSymbol,
    side: Side,
    qty: PositiveDecimalString.optional(),
    quoteQty: PositiveDecimalString.optional(),
    style: OrderStyle,
    price: PositiveDecimalString.optional(),
    stopPrice: PositiveDecimalString.optional(),
    /** Absent on limit styles means the risk gate's default (GTC). */
    timeInForce: TimeInForce.optional(),
    constraints: ExecutionConstraints.optional(),
    /** Only reduce an existing position; never open or flip one. */
    reduceOnly: z.boolean(),
    /**
     * The end of the decision's shelf life (DESIGN 13): after this time the intent must not become an
     * order, and an order made from it must not reach the venue. The strategy runner sets it on every
     * intent from the strategy's maximum decision age (`createdAt` + bound); optional for messages
     * written before that.
     */
    expiresAt: EpochMs.optional(),
    inputs: DecisionInputs,
    /**
     * When the market data the decision was made on reached the platform (the quote's `receivedAt`, on
     * the gateway's clock): where the order manager's tick-to-trade histogram counts from. Our clock,
     * not the venue's event time, so no venue clock offset is in it. Absent when no quote was at hand.
     */
    marketDataAt: EpochMs.optional(),
    /** The decision time: when the strategy decided (the runner's clock). Its age counts from here. */
    createdAt: EpochMs,
  })
  .superRefine((intent, ctx) => checkOrderShape(intent, ctx, { requireTimeInForce: false, quoteQtyMarketOnly: false }));
export type Intent = z.infer<typeof Intent>;
