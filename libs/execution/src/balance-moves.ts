import type { FillEvent } from '@bourse/contracts';
import { dec, ZERO, type Decimal } from '@bourse/domain';

// Stored balances are "the venue's balances as of the last fill the OMS applied" (the reconciler
// adds only the fills we missed on top of them). So they move with each fill the OMS applies —
// never with the venue's absolute account messages, which may already contain a fill we never got.
// Spot: BUY receives qty base and pays qty × price quote; SELL the reverse; the fee leaves its asset
// (a negative fee, a rebate, arrives).

/** One asset's change from one fill. */
export interface BalanceMove {
  readonly asset: string;
  readonly delta: Decimal;
}

/** A stored balance, free and locked. */
export interface BalanceAmounts {
  readonly free: Decimal;
  readonly locked: Decimal;
}

/** The per-asset changes of a fill on `instrument` (`BASE/QUOTE`), one entry per asset, in a stable order. */
export function balanceMovesOfFill(fill: FillEvent): BalanceMove[] {
  const [base, quote] = fill.instrument.split('/') as [string, string];
  const qty = dec(fill.qty);
  const notional = qty.times(dec(fill.price));
  const sums = new Map<string, Decimal>();
  const add = (asset: string, delta: Decimal): void => {
    sums.set(asset, (sums.get(asset) ?? ZERO).plus(delta));
  };
  add(base, fill.side === 'BUY' ? qty : qty.neg());
  add(quote, fill.side === 'BUY' ? notional.neg() : notional);
  add(fill.feeAsset, dec(fill.fee).neg());
  return [...sums].filter(([, delta]) => !delta.isZero()).map(([asset, delta]) => ({ asset, delta }));
}

/**
 * `current` moved by `delta`. The OMS does not follow which part of a balance its orders hold, so
 * the change goes to `free`; what `free` cannot cover comes out of `locked` (the order that filled
 * held it there). A `shortfall` above zero means the stored balance could not pay for the fill at
 * all (it was wrong before): both parts end at zero, and the caller reports it.
 */
export function moveBalance(current: BalanceAmounts, delta: Decimal): BalanceAmounts & { readonly shortfall: Decimal } {
  const free = current.free.plus(delta);
  if (!free.isNegative()) return { free, locked: current.locked, shortfall: ZERO };
  const locked = current.locked.plus(free);
  if (!locked.isNegative()) return { free: ZERO, locked, shortfall: ZERO };
  return { free: ZERO, locked: ZERO, shortfall: locked.neg() };
}
