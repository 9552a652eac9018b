import { z } from 'zod';
import { CodeHash, StrategyVersion } from './intent.js';
import { ExecutionConstraints, checkOrderShape } from './order-shape.js';
import {
  ClientOrderId,
  EpochMs,
  InstrumentSymbol,
  IntentId,
  OrderStyle,
  PositiveDecimalString,
  Side,
  StrategyId,
  TimeInForce,
  VenueId,
  VenueSymbol,
} from './primitives.js';

/**
 * An order the risk gate has validated, for the OMS to journal and submit. Prices and quantities are
 * already rounded to the instrument's tick and step. The client order id is the idempotency key at the
 * venue: a resubmission after a timeout reuses it, never a new one.
 */
export const OrderRequest = z
  .object({
    v: z.literal(1),
    clientOrderId: ClientOrderId,
    intentId: IntentId,
    strategyId: StrategyId,
    strategyVersion: StrategyVersion,
    /** The hash of the strategy's code, from the intent (absent when the intent had none). */
    codeHash: CodeHash.optional(),
    venue: VenueId,
    instrument: InstrumentSymbol,
    venueSymbol: VenueSymbol,
    side: Side,
    qty: PositiveDecimalString.optional(),
    /** Quote-asset amount to spend or receive; market orders only (Binance quoteOrderQty). */
    quoteQty: PositiveDecimalString.optional(),
    style: OrderStyle,
    price: PositiveDecimalString.optional(),
    stopPrice: PositiveDecimalString.optional(),
    /** Required for limit and stop-limit, absent otherwise. */
    timeInForce: TimeInForce.optional(),
    constraints: ExecutionConstraints.optional(),
    reduceOnly: z.boolean(),
    /** The decision's shelf life, from the intent: never sent to the venue at or after this time (DESIGN 13). */
    expiresAt: EpochMs.optional(),
    /**
     * When the strategy decided (the intent's `createdAt`), so a refusal can say how old the decision
     * was. Absent on requests the OMS makes itself (tactic children) and on older messages.
     */
    decidedAt: EpochMs.optional(),
    /**
     * When the market data behind the decision reached the platform (the intent's `marketDataAt`); the
     * order manager times tick-to-trade from it. Absent on a chase's later children and older messages.
     */
    marketDataAt: EpochMs.optional(),
    createdAt: EpochMs,
  })
  .superRefine((order, ctx) => checkOrderShape(order, ctx, { requireTimeInForce: true, quoteQtyMarketOnly: true }));
export type OrderRequest = z.infer<typeof OrderRequest>;
