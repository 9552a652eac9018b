import { Decimal, ZERO } from './decimal.js';
import { InsufficientBalanceError, InvalidArgumentError } from './errors.js';
import type { Fill } from './position.js';
import { err, ok, type Result } from './result.js';

// Account balances per asset, split into free and locked (held by open orders), as Binance reports
// them. Immutable: every operation returns a new Balances or a typed error and leaves the input as
// it was. No operation can take a bucket below zero.

export interface Balance {
  readonly free: Decimal;
  readonly locked: Decimal;
}

export type Balances = Readonly<Record<string, Balance>>;

export type BalanceResult = Result<Balances, InsufficientBalanceError | InvalidArgumentError>;

const EMPTY: Balance = { free: ZERO, locked: ZERO };

/** The balance of one asset (zero when never seen); never throws. */
export function balanceOf(balances: Balances, asset: string): Balance {
  return Object.hasOwn(balances, asset) ? balances[asset]! : EMPTY;
}

/** free + locked of one asset, exact; never throws. */
export function totalOf(balances: Balances, asset: string): Decimal {
  const b = balanceOf(balances, asset);
  return b.free.plus(b.locked);
}

/** Adds to free (a deposit, or what a fill brought in), exact; a negative amount is an InvalidArgumentError result. */
export function credit(balances: Balances, asset: string, amount: Decimal): BalanceResult {
  const bad = checkAmount(amount);
  if (bad) return err(bad);
  const b = balanceOf(balances, asset);
  return ok({ ...balances, [asset]: { free: b.free.plus(amount), locked: b.locked } });
}

/** Takes from free, exact; more than free is an InsufficientBalanceError result (nothing applied). */
export function debit(balances: Balances, asset: string, amount: Decimal): BalanceResult {
  return move(balances, asset, amount, 'free', undefined);
}

/** Moves free → locked (an order placed), exact; more than free is an InsufficientBalanceError result. */
export function lock(balances: Balances, asset: string, amount: Decimal): BalanceResult {
  return move(balances, asset, amount, 'free', 'locked');
}

/** Moves locked → free (an order canceled or expired), exact; more than locked is an InsufficientBalanceError result. */
export function unlock(balances: Balances, asset: string, amount: Decimal): BalanceResult {
  return move(balances, asset, amount, 'locked', 'free');
}

/** Takes from locked (a fill spent what its order held), exact; more than locked is an InsufficientBalanceError result. */
export function settle(balances: Balances, asset: string, amount: Decimal): BalanceResult {
  return move(balances, asset, amount, 'locked', undefined);
}

/**
 * Books a spot fill (exact): BUY pays qty × price quote and receives qty base; SELL the reverse; the
 * fee is then taken from free in its asset. `fromLocked` says whether the paid side was held by the
 * order (a resting limit order) or is taken from free. Any shortfall is an error result, nothing applied.
 */
export function applyFillToBalances(
  balances: Balances,
  fill: Fill,
  assets: { base: string; quote: string },
  opts: { fromLocked: boolean },
): BalanceResult {
  const notional = fill.qty.times(fill.price);
  const [payAsset, payAmount, getAsset, getAmount] =
    fill.side === 'BUY'
      ? [assets.quote, notional, assets.base, fill.qty]
      : [assets.base, fill.qty, assets.quote, notional];
  const paid = opts.fromLocked ? settle(balances, payAsset, payAmount) : debit(balances, payAsset, payAmount);
  if (!paid.ok) return paid;
  const got = credit(paid.value, getAsset, getAmount);
  if (!got.ok || !fill.fee || fill.fee.amount.isZero()) return got;
  return fill.fee.amount.isNegative()
    ? credit(got.value, fill.fee.asset, fill.fee.amount.neg())
    : debit(got.value, fill.fee.asset, fill.fee.amount);
}

function move(
  balances: Balances,
  asset: string,
  amount: Decimal,
  from: 'free' | 'locked',
  to: 'free' | 'locked' | undefined,
): BalanceResult {
  const bad = checkAmount(amount);
  if (bad) return err(bad);
  const b = balanceOf(balances, asset);
  if (b[from].lt(amount)) {
    return err(new InsufficientBalanceError(asset, from, amount.toString(), b[from].toString()));
  }
  const next = { ...b, [from]: b[from].minus(amount) };
  if (to) next[to] = next[to].plus(amount);
  return ok({ ...balances, [asset]: next });
}

function checkAmount(amount: Decimal): InvalidArgumentError | undefined {
  if (!(amount instanceof Decimal)) return new InvalidArgumentError('amount', amount, 'must be a Decimal');
  return amount.isNegative()
    ? new InvalidArgumentError('amount', amount.toString(), 'must not be negative')
    : undefined;
}
