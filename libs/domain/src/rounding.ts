import type { Side } from '@bourse/contracts';
import { Decimal, type RoundingMode } from './decimal.js';
import { InvalidArgumentError } from './errors.js';
import type { InstrumentSpec } from './instrument.js';

// Rounding to the venue's grids lives here and nowhere else (DESIGN principle 3).

/**
 * How a limit price is brought onto the tick grid:
 * - `passive`: away from the market, so the order never becomes more aggressive than asked
 *   (BUY rounds down, SELL rounds up). The default.
 * - `aggressive`: toward the market (BUY up, SELL down), to keep a marketable order marketable.
 * - `nearest`: to the nearest tick, ties to even.
 */
export type PriceRounding = 'passive' | 'aggressive' | 'nearest';

/** Rounds `price` to a multiple of `tick` by `mode`; returns it unchanged when there is no tick; throws InvalidArgumentError on a tick of zero or less. */
export function roundToTick(price: Decimal, tick: Decimal | undefined, mode: RoundingMode): Decimal {
  return tick === undefined ? price : price.roundToMultiple(tick, mode);
}

/** Puts a price on the instrument's tick grid (passive by default: BUY down, SELL up); throws InvalidArgumentError when price is not above zero (a result of 0 is returned for validateOrder to refuse). */
export function roundPrice(spec: InstrumentSpec, price: Decimal, side: Side, how: PriceRounding = 'passive'): Decimal {
  if (!price.isPositive()) throw new InvalidArgumentError('price', price.toString(), 'must be greater than zero');
  if (side !== 'BUY' && side !== 'SELL') throw new InvalidArgumentError('side', side, 'must be BUY or SELL');
  if (how !== 'passive' && how !== 'aggressive' && how !== 'nearest') {
    throw new InvalidArgumentError('price rounding', how, 'must be passive, aggressive or nearest');
  }
  const mode: RoundingMode =
    how === 'nearest' ? 'half-even' : (how === 'passive') === (side === 'BUY') ? 'floor' : 'ceil';
  return roundToTick(price, spec.tickSize, mode);
}

/** The quantity step an order must respect: LOT_SIZE, and for market orders also MARKET_LOT_SIZE (their least common multiple); undefined when none. */
export function quantityStep(spec: InstrumentSpec, market = false): Decimal | undefined {
  const lot = spec.stepSize;
  const marketLot = market ? spec.marketStepSize : undefined;
  if (!lot || !marketLot) return lot ?? marketLot;
  return lcm(lot, marketLot);
}

/** Rounds a quantity down to the step grid (never up: never trade more than asked); throws InvalidArgumentError on a negative quantity. */
export function roundQty(spec: InstrumentSpec, qty: Decimal, opts: { market?: boolean } = {}): Decimal {
  if (qty.isNegative()) throw new InvalidArgumentError('quantity', qty.toString(), 'must not be negative');
  const step = quantityStep(spec, opts.market ?? false);
  return step === undefined ? qty : qty.roundToMultiple(step, 'floor');
}

function lcm(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  const x = a.units * 10n ** BigInt(scale - a.scale);
  const y = b.units * 10n ** BigInt(scale - b.scale);
  let g = x;
  let h = y;
  while (h !== 0n) [g, h] = [h, g % h];
  return Decimal.fromUnits((x / g) * y, scale);
}
