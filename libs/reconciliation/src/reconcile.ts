import { ReconciliationReport, TradingState, type AssetCode } from '@bourse/contracts';
import { compareAmounts } from './amounts.js';
import type { ReconcilerConfig } from './config.js';
import { ReconcileInputError } from './errors.js';
import { compareFills, recoveredIds } from './fills.js';
import { compareOrders } from './orders.js';
import type { ReconcileInput, ReconcileResult } from './types.js';
import { amount, byKey } from './values.js';

/** Who writes the HALTED state, as the trading-state entry names it. */
export const RECONCILER_SERVICE = 'reconciler';

/**
 * One reconciliation run over what the shell read: no I/O, no clock but `now` (when the run
 * finished). Returns the validated report, the effects to carry out and the next checkpoint.
 * Throws ReconcileInputError on malformed input (a bad decimal, a report the contract refuses).
 */
export function reconcile(input: ReconcileInput, config: ReconcilerConfig, now: number): ReconcileResult {
  const venueOrders = [...input.venueSide.openOrders, ...input.venueSide.queriedOrders];
  const submissions = new Set((input.ours.submissions ?? []).map((s) => s.clientOrderId));
  const fills = compareFills({
    venue: input.venue,
    checkpoint: input.checkpoint,
    trades: input.venueSide.trades,
    venueOrders,
    ourOrders: input.ours.orders,
    ourFills: input.ours.fills,
    ourLoadedAt: input.ours.loadedAt,
    submissions,
  });
  const orders = compareOrders({
    venue: input.venue,
    config,
    ourOrders: input.ours.orders,
    ourLoadedAt: input.ours.loadedAt,
    venueOpen: input.venueSide.openOrders,
    venueQueried: input.venueSide.queriedOrders,
    submissions,
  });
  const amounts = compareAmounts({
    config,
    ourBalances: input.ours.balances,
    venueBalances: input.venueSide.balances,
    ourPositions: input.ours.positions,
    transfers: input.ours.transfers ?? {},
    missed: fills.missed,
    prices: input.prices,
  });

  const pnlDriftAbs = amounts.pnlDrift.abs();
  const haltReasons = [
    ...amounts.checks
      .filter((c) => c.beyondTolerance)
      .map(
        (c) =>
          `${c.kind} drift ${c.key}: expected ${c.expected} ${c.asset}, venue ${c.actual}, ` +
          `difference ${c.diff} beyond tolerance ${c.tolerance}`,
      ),
    ...fills.haltReasons,
    ...orders.haltReasons,
  ];
  const pnlTolerance = config.pnlDriftTolerance;
  if (pnlDriftAbs.gt(amount('pnlDriftTolerance', pnlTolerance))) {
    haltReasons.push(
      `P&L drift ${amounts.pnlDrift.toString()} ${config.valuationAsset} beyond tolerance ${pnlTolerance}`,
    );
  }
  const halted = haltReasons.length > 0;

  const report = ReconciliationReport.safeParse({
    v: 1,
    runId: input.runId,
    venue: input.venue,
    trigger: input.trigger,
    startedAt: input.startedAt,
    finishedAt: now,
    counts: {
      ordersChecked: orders.checked,
      fillsChecked: fills.checked,
      balancesChecked: amounts.balancesChecked,
      positionsChecked: amounts.positionsChecked,
    },
    differences: {
      orders: [...orders.differences].sort((a, b) => (a.clientOrderId < b.clientOrderId ? -1 : 1)),
      fills: [...fills.differences],
      balances: [...amounts.balanceDifferences].sort(byKey),
      positions: [...amounts.positionDifferences],
    },
    missedFillsRecovered: recoveredIds(fills.events),
    unknownOpenOrders: [...orders.unknown],
    drift: { value: pnlDriftAbs.toString(), tolerance: pnlTolerance, asset: config.valuationAsset as AssetCode },
    verdict: halted ? 'drift-halted' : 'ok',
  });
  if (!report.success) {
    throw new ReconcileInputError(
      'report',
      input.runId,
      report.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      report.error,
    );
  }

  const halt = halted
    ? TradingState.parse({
        v: 1,
        scope: { kind: 'global' },
        mode: 'HALTED',
        reason: `reconciliation ${input.runId} on ${input.venue}: ${haltReasons.join('; ')}`,
        setBy: RECONCILER_SERVICE,
        updatedAt: now,
      })
    : undefined;

  // A run that booked the venue's missed trades and then found everything equal may lift a halt the
  // reconciler itself wrote (the shell checks who wrote it): a lost fill the venue still shows is
  // never a permanent halt. The report's missedFillsRecovered says which trades it booked.
  const recovered = recoveredIds(fills.events);
  const resume =
    !halted && recovered.length > 0
      ? TradingState.parse({
          v: 1,
          scope: { kind: 'global' },
          mode: 'ACTIVE',
          reason:
            `reconciliation ${input.runId} on ${input.venue} booked the missed trades ${recovered.join(', ')}; ` +
            'balances and positions match the venue',
          setBy: RECONCILER_SERVICE,
          updatedAt: now,
        })
      : undefined;

  return {
    report: report.data,
    effects: { fills: fills.events, orderUpdates: orders.updates, cancels: orders.cancels, halt, resume },
    // Only a passing run proves the trades it examined complete: after a halt the next run looks at
    // the same trades again (a trade it could not tie to an order this time may be tied next time).
    checkpoint: halted ? input.checkpoint : fills.checkpoint,
    checks: amounts.checks,
    pnlDrift: amounts.pnlDrift.toString(),
    unpricedAssets: amounts.unpricedAssets,
    haltReasons,
  };
}
