import type { Intent, OrderStyle, RiskRuleFailure, Side } from '@bourse/contracts';
import type { Decimal, InstrumentSpec } from '@bourse/domain';
import type { EffectiveLimits } from './limits/resolve.js';
import type { RiskState } from './risk-state.js';

/** The one time source, declared in @bourse/domain. */
export type { Clock } from '@bourse/domain';

/** The order an intent would become, already on the instrument's grids; what every rule judges. */
export interface ProposedOrder {
  readonly strategyId: string;
  readonly instrument: string;
  readonly spec: InstrumentSpec;
  readonly side: Side;
  readonly style: OrderStyle;
  /** Base quantity rounded down to the step; absent for a market order sized in quote. */
  readonly qty?: Decimal;
  /** Quote amount of a market order sized in quote (Binance quoteOrderQty). */
  readonly quoteQty?: Decimal;
  /** Limit price rounded to the tick, passively. */
  readonly price?: Decimal;
  readonly stopPrice?: Decimal;
  /** Base quantity for exposure and balance rules: qty, or quoteQty at the mid rounded up; undefined when unknowable. */
  readonly exposureQty?: Decimal;
  /** Price used to value the order: the limit price, else the stop price, else the mid. */
  readonly valuationPrice?: Decimal;
  /** Quote value: quoteQty, or exposureQty × valuationPrice × multiplier; undefined without a price. */
  readonly notional?: Decimal;
  readonly reduceOnly: boolean;
}

/** One pre-trade rule: every failure it finds, each with its numbers; never throws, never changes state. */
export type RiskRule = (
  intent: Intent,
  order: ProposedOrder,
  state: RiskState,
  limits: EffectiveLimits,
  now: number,
) => RiskRuleFailure[];
