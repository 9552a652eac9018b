import type { RiskRuleFailure } from '@bourse/contracts';
import { dec } from '@bourse/domain';
import type { RiskRule } from '../types.js';
import { failure } from './support.js';

// Fat-finger guard: a limit or stop price may sit at most `priceBandBps` basis points from the
// current mid. Without a mid this rule says nothing; the stale-market-data rule refuses the intent.

const BPS = dec(10_000);

export const priceBandRule: RiskRule = (_intent, order, state, limits) => {
  const band = limits.priceBandBps;
  const mid = state.quote(order.instrument)?.mid;
  if (band === undefined || mid === undefined) return [];
  const failures: RiskRuleFailure[] = [];
  for (const [field, price] of [
    ['price', order.price],
    ['stopPrice', order.stopPrice],
  ] as const) {
    if (price === undefined) continue;
    // Rounded up to 0.01 bps: a price a hair outside the band never rounds back inside it.
    const distance = price.minus(mid).abs().times(BPS).div(mid, 2, 'ceil');
    if (distance.gt(band)) {
      failures.push(
        failure(
          'price-band',
          `${field} ${price.toString()} is ${distance.toString()} bps from the mid ${mid.toString()}; the band is ${band.toString()} bps`,
          band,
          distance,
        ),
      );
    }
  }
  return failures;
};
