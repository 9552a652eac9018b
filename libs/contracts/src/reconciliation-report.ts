import { z } from 'zod';
import { compareDecimalStrings } from './decimal-order.js';
import {
  AssetCode,
  ClientOrderId,
  DecimalString,
  EpochMs,
  InstrumentSymbol,
  NonNegativeDecimalString,
  OrderStatus,
  PositiveDecimalString,
  Side,
  VenueFillId,
  VenueId,
  VenueOrderId,
} from './primitives.js';

export const ReconciliationTrigger = z.enum(['start', 'schedule', 'reconnect', 'operator']);
export type ReconciliationTrigger = z.infer<typeof ReconciliationTrigger>;

export const ReconciliationVerdict = z.enum(['ok', 'drift-halted']);
export type ReconciliationVerdict = z.infer<typeof ReconciliationVerdict>;

/**
 * What Bourse believed (`expected`) against what the venue says (`actual`). `null` means that side has
 * no record at all, e.g. a balance the venue reports and Bourse never heard of.
 */
export const AmountDifference = z.object({
  /** The asset (balances), the instrument (positions) or the venue fill id (fills). */
  key: z.string().min(1),
  expected: DecimalString.nullable(),
  actual: DecimalString.nullable(),
});
export type AmountDifference = z.infer<typeof AmountDifference>;

export const OrderDifference = z.object({
  clientOrderId: ClientOrderId,
  venueOrderId: VenueOrderId.optional(),
  expectedStatus: OrderStatus.nullable(),
  actualStatus: OrderStatus.nullable(),
  expectedFilledQty: DecimalString.nullable(),
  actualFilledQty: DecimalString.nullable(),
});
export type OrderDifference = z.infer<typeof OrderDifference>;

/** An order open at the venue that Bourse has no record of. */
export const UnknownOpenOrder = z.object({
  venueOrderId: VenueOrderId,
  clientOrderId: z.string().optional(),
  instrument: InstrumentSymbol,
  side: Side,
  qty: PositiveDecimalString,
  price: PositiveDecimalString.optional(),
});
export type UnknownOpenOrder = z.infer<typeof UnknownOpenOrder>;

const Count = z.number().int().nonnegative();

/** The outcome of one reconciliation run, as the reconciler publishes it and stores it. */
export const ReconciliationReport = z
  .object({
    v: z.literal(1),
    runId: z.string().min(1),
    venue: VenueId,
    trigger: ReconciliationTrigger,
    startedAt: EpochMs,
    finishedAt: EpochMs,
    counts: z.object({
      ordersChecked: Count,
      fillsChecked: Count,
      balancesChecked: Count,
      positionsChecked: Count,
    }),
    differences: z.object({
      orders: z.array(OrderDifference),
      fills: z.array(AmountDifference),
      balances: z.array(AmountDifference),
      positions: z.array(AmountDifference),
    }),
    /** Fills the venue had and Bourse had missed; each was sent to the OMS as a FillEvent. */
    missedFillsRecovered: z.array(VenueFillId),
    unknownOpenOrders: z.array(UnknownOpenOrder),
    /** Total drift valued in `asset`, against the tolerance that halts trading. */
    drift: z.object({
      value: NonNegativeDecimalString,
      tolerance: NonNegativeDecimalString,
      asset: AssetCode,
    }),
    verdict: ReconciliationVerdict,
  })
  .superRefine((report, ctx) => {
    if (report.finishedAt < report.startedAt) {
      ctx.addIssue({ code: 'custom', path: ['finishedAt'], message: 'must not be before startedAt' });
    }
    if (report.verdict === 'ok' && compareDecimalStrings(report.drift.value, report.drift.tolerance) > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['verdict'],
        message: `cannot be ok: drift ${report.drift.value} exceeds tolerance ${report.drift.tolerance}`,
      });
    }
  });
export type ReconciliationReport = z.infer<typeof ReconciliationReport>;
