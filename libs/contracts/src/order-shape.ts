import { z } from 'zod';
import { NonNegativeDecimalString, type OrderStyle, type TimeInForce } from './primitives.js';

/**
 * How an intent may be worked, and later how the OMS works the order. `limitWindowMs` is the time a
 * limit order rests before the tactic acts (cancel, or cancel and go to market when `marketFallback`);
 * `maxSlippageBps` bounds how far a market (or fallback) order may trade from the reference price.
 */
export const ExecutionConstraints = z.object({
  maxSlippageBps: NonNegativeDecimalString.optional(),
  limitWindowMs: z.number().int().positive().optional(),
  marketFallback: z.boolean(),
});
export type ExecutionConstraints = z.infer<typeof ExecutionConstraints>;

const PRICED: ReadonlySet<OrderStyle> = new Set(['limit', 'limit-maker', 'stop-limit']);
const STOPPED: ReadonlySet<OrderStyle> = new Set(['stop', 'stop-limit']);
/** Styles that take a time in force on Binance (MARKET, STOP_LOSS and LIMIT_MAKER take none). */
const TIMED: ReadonlySet<OrderStyle> = new Set(['limit', 'stop-limit']);
/** Styles a limit-then-market tactic can work: the order must rest on the book. */
const RESTING: ReadonlySet<OrderStyle> = new Set(['limit', 'limit-maker']);

interface OrderShape {
  qty?: string | undefined;
  quoteQty?: string | undefined;
  style: OrderStyle;
  price?: string | undefined;
  stopPrice?: string | undefined;
  timeInForce?: TimeInForce | undefined;
  constraints?: ExecutionConstraints | undefined;
  createdAt: number;
  expiresAt?: number | undefined;
}

interface ShapeRules {
  /** Order requests must carry a TIF where the venue needs one; intents may leave it to the risk gate. */
  requireTimeInForce: boolean;
  /** Binance takes quoteOrderQty on MARKET orders only; intents may size in quote for any style. */
  quoteQtyMarketOnly: boolean;
}

/** The cross-field rules that intents and order requests share. Each issue points at the field to fix. */
export function checkOrderShape(value: OrderShape, ctx: z.RefinementCtx, rules: ShapeRules): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: path.split('.'), message });
  const { style } = value;

  if (value.qty === undefined && value.quoteQty === undefined) issue('qty', 'give qty or quoteQty');
  if (value.qty !== undefined && value.quoteQty !== undefined) issue('quoteQty', 'give qty or quoteQty, not both');
  if (rules.quoteQtyMarketOnly && value.quoteQty !== undefined && style !== 'market') {
    issue('quoteQty', `is allowed on market orders only, not ${style}`);
  }

  if (PRICED.has(style) && value.price === undefined) issue('price', `is required for style ${style}`);
  if (!PRICED.has(style) && value.price !== undefined) issue('price', `must be absent for style ${style}`);
  if (STOPPED.has(style) && value.stopPrice === undefined) issue('stopPrice', `is required for style ${style}`);
  if (!STOPPED.has(style) && value.stopPrice !== undefined) issue('stopPrice', `must be absent for style ${style}`);

  if (TIMED.has(style)) {
    if (rules.requireTimeInForce && value.timeInForce === undefined) {
      issue('timeInForce', `is required for style ${style}`);
    }
  } else if (value.timeInForce !== undefined) {
    issue('timeInForce', `must be absent for style ${style}`);
  }

  const c = value.constraints;
  if (c !== undefined) {
    if (c.limitWindowMs !== undefined && !RESTING.has(style)) {
      issue('constraints.limitWindowMs', `applies to limit and limit-maker styles only, not ${style}`);
    }
    if (c.marketFallback && c.limitWindowMs === undefined) {
      issue('constraints.limitWindowMs', 'is required when marketFallback is true (how long to wait before it)');
    }
    if (c.marketFallback && value.timeInForce !== undefined && value.timeInForce !== 'GTC') {
      issue('constraints.marketFallback', `needs a resting order; timeInForce ${value.timeInForce} never rests`);
    }
  }

  if (value.expiresAt !== undefined && value.expiresAt <= value.createdAt) {
    issue('expiresAt', 'must be after createdAt');
  }
}
