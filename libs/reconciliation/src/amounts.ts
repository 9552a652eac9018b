import type { AmountDifference } from '@bourse/contracts';
import { ZERO, type Decimal } from '@bourse/domain';
import type { Balance } from '@bourse/venues';
import type { ReconcilerConfig } from './config.js';
import type { MissedFill } from './fills.js';
import type { AmountCheck, OurBalance, OurPosition } from './types.js';
import { amount, byKey } from './values.js';

// Balances and positions against the venue, once the missed fills are counted in.
//
// Balances: per asset, free + locked. Bourse expects its stored balance plus what each missed fill
// moved (BUY: +qty base, −qty×price quote; SELL the reverse; the fee out of its asset).
//
// Positions: per base asset, our net position over every strategy and instrument with that base,
// plus the missed fills, against what the venue's balance implies: balance − inventory (holdings
// that belong to no position: the configured inventory and the deposits − withdrawals the OMS
// booked) + fees paid in that asset (they left the balance, not the position).
// An asset that is also the quote of an instrument in play is not checked as a position: quote
// flows would need the full fill history. Its balance check still covers it.
//
// P&L drift: Σ (venue − Bourse) balance × price, in the valuation asset. Signed, so a fill we
// missed whose two legs cancel at the mark is no P&L drift (the balance and position checks catch it).

export interface AmountComparison {
  readonly checks: readonly AmountCheck[];
  readonly balanceDifferences: readonly AmountDifference[];
  readonly positionDifferences: readonly AmountDifference[];
  readonly balancesChecked: number;
  readonly positionsChecked: number;
  /** venue − Bourse, valued in the valuation asset. */
  readonly pnlDrift: Decimal;
  readonly unpricedAssets: readonly string[];
}

export interface AmountContext {
  readonly config: ReconcilerConfig;
  readonly ourBalances: readonly OurBalance[];
  readonly venueBalances: readonly Balance[];
  readonly ourPositions: readonly OurPosition[];
  /** Booked deposits − withdrawals per asset: holdings that belong to no position. */
  readonly transfers: Readonly<Record<string, string>>;
  readonly missed: readonly MissedFill[];
  readonly prices: Readonly<Record<string, string>>;
}

export function compareAmounts(ctx: AmountContext): AmountComparison {
  const balances = compareBalances(ctx);
  const positions = comparePositions(ctx);
  const { pnlDrift, unpriced } = valueDrift(ctx, balances.checks);
  return {
    checks: [...balances.checks, ...positions.checks],
    balanceDifferences: balances.differences,
    positionDifferences: positions.differences,
    balancesChecked: balances.checks.length,
    positionsChecked: positions.checks.length,
    pnlDrift,
    unpricedAssets: unpriced,
  };
}

/** What the missed fills moved, per asset (exact). */
export function missedBalanceDeltas(missed: readonly MissedFill[]): Map<string, Decimal> {
  const deltas = new Map<string, Decimal>();
  const add = (asset: string, d: Decimal): void => void deltas.set(asset, (deltas.get(asset) ?? ZERO).plus(d));
  for (const f of missed) {
    const [base, quote] = assetsOf(f.instrument);
    const notional = f.qty.times(f.price);
    add(base, f.side === 'BUY' ? f.qty : f.qty.neg());
    add(quote, f.side === 'BUY' ? notional.neg() : notional);
    if (!f.fee.amount.isZero()) add(f.fee.asset, f.fee.amount.neg());
  }
  return deltas;
}

function compareBalances(ctx: AmountContext): { checks: AmountCheck[]; differences: AmountDifference[] } {
  const ours = totals(ctx.ourBalances, 'our balance');
  const venue = totals(ctx.venueBalances, 'venue balance');
  const deltas = missedBalanceDeltas(ctx.missed);
  const assets = [...new Set([...ours.keys(), ...venue.keys(), ...deltas.keys()])].sort();
  const checks: AmountCheck[] = [];
  const differences: AmountDifference[] = [];
  for (const asset of assets) {
    const delta = deltas.get(asset);
    const stored = ours.get(asset);
    const expected = (stored ?? ZERO).plus(delta ?? ZERO);
    const actual = venue.get(asset) ?? ZERO;
    checks.push(check(ctx.config, 'balance', asset, asset, expected, actual));
    if (!expected.eq(actual)) {
      differences.push({
        key: asset,
        expected: stored === undefined && delta === undefined ? null : expected.toString(),
        actual: venue.has(asset) ? actual.toString() : null,
      });
    }
  }
  return { checks, differences };
}

function comparePositions(ctx: AmountContext): { checks: AmountCheck[]; differences: AmountDifference[] } {
  const netByInstrument = new Map<string, Decimal>();
  const feesPaid = new Map<string, Decimal>();
  const addTo = (m: Map<string, Decimal>, k: string, d: Decimal): void => void m.set(k, (m.get(k) ?? ZERO).plus(d));
  for (const p of ctx.ourPositions) {
    addTo(netByInstrument, p.instrument, amount(`position ${p.strategyId} ${p.instrument} qty`, p.qty));
    for (const [asset, fee] of Object.entries(p.fees)) {
      addTo(feesPaid, asset, amount(`position ${p.strategyId} ${p.instrument} fee ${asset}`, fee));
    }
  }
  for (const f of ctx.missed) {
    addTo(netByInstrument, f.instrument, f.side === 'BUY' ? f.qty : f.qty.neg());
    addTo(feesPaid, f.fee.asset, f.fee.amount);
  }
  const quotes = new Set([...netByInstrument.keys()].map((i) => assetsOf(i)[1]));
  const instrumentsByBase = new Map<string, string[]>();
  for (const instrument of [...netByInstrument.keys()].sort()) {
    const base = assetsOf(instrument)[0];
    if (quotes.has(base)) continue;
    instrumentsByBase.set(base, [...(instrumentsByBase.get(base) ?? []), instrument]);
  }
  const venue = totals(ctx.venueBalances, 'venue balance');
  const checks: AmountCheck[] = [];
  const differences: AmountDifference[] = [];
  for (const [base, instruments] of instrumentsByBase) {
    const expected = instruments.reduce((sum, i) => sum.plus(netByInstrument.get(i) ?? ZERO), ZERO);
    const inventory = amount(`inventory ${base}`, ctx.config.inventory[base] ?? '0').plus(
      amount(`transfers ${base}`, ctx.transfers[base] ?? '0'),
    );
    const actual = (venue.get(base) ?? ZERO).minus(inventory).plus(feesPaid.get(base) ?? ZERO);
    const key = instruments.join('+');
    checks.push(check(ctx.config, 'position', key, base, expected, actual));
    if (!expected.eq(actual)) differences.push({ key, expected: expected.toString(), actual: actual.toString() });
  }
  return { checks, differences: differences.sort(byKey) };
}

function valueDrift(
  ctx: AmountContext,
  balanceChecks: readonly AmountCheck[],
): { pnlDrift: Decimal; unpriced: string[] } {
  let pnlDrift = ZERO;
  const unpriced: string[] = [];
  for (const c of balanceChecks) {
    const diff = amount(`${c.asset} difference`, c.diff);
    if (diff.isZero()) continue;
    const priceText = c.asset === ctx.config.valuationAsset ? '1' : ctx.prices[c.asset];
    if (priceText === undefined) unpriced.push(c.asset);
    else pnlDrift = pnlDrift.plus(diff.times(amount(`price of ${c.asset}`, priceText)));
  }
  return { pnlDrift, unpriced };
}

function check(
  config: ReconcilerConfig,
  kind: AmountCheck['kind'],
  key: string,
  asset: string,
  expected: Decimal,
  actual: Decimal,
): AmountCheck {
  const tolerance = amount(`tolerance of ${asset}`, config.tolerances[asset] ?? config.defaultTolerance);
  const diff = actual.minus(expected);
  return {
    kind,
    key,
    asset,
    expected: expected.toString(),
    actual: actual.toString(),
    diff: diff.toString(),
    tolerance: tolerance.toString(),
    beyondTolerance: diff.abs().gt(tolerance),
  };
}

function totals(
  balances: readonly { asset: string; free: string; locked: string }[],
  what: string,
): Map<string, Decimal> {
  const out = new Map<string, Decimal>();
  for (const b of balances) {
    const total = amount(`${what} ${b.asset} free`, b.free).plus(amount(`${what} ${b.asset} locked`, b.locked));
    out.set(b.asset, (out.get(b.asset) ?? ZERO).plus(total));
  }
  return out;
}

function assetsOf(instrument: string): [base: string, quote: string] {
  const [base = instrument, quote = ''] = instrument.split('/');
  return [base, quote];
}
