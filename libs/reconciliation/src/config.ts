import { AssetCode, NonNegativeDecimalString } from '@bourse/contracts';
import { z } from 'zod';
import { ReconcileInputError } from './errors.js';

// The reconciler's tolerances and policies, as one strict schema. Amounts are decimal strings so a
// tolerance such as 0.00000001 BTC is held exactly. Parsed once by the shell at start.

/** What to do with an order open at the venue that Bourse does not hold open. */
export const UnknownOrderPolicy = z.enum([
  /** Report only (the default). */
  'report',
  /** Cancel the ones whose client order id has Bourse's layout (orphans of ours); report foreign ones only. */
  'cancel-ours',
  /** Cancel every unknown order, foreign ones included: for accounts that Bourse alone trades. */
  'cancel-all',
]);
export type UnknownOrderPolicy = z.infer<typeof UnknownOrderPolicy>;

export const DEFAULT_UNKNOWN_ORDER_GRACE_MS = 5_000;

export const ReconcilerConfig = z
  .object({
    /** Largest |venue − Bourse| per asset that does not halt, for balances and positions (in that asset). */
    tolerances: z.record(AssetCode, NonNegativeDecimalString).default({}),
    /** Tolerance of an asset not listed in `tolerances`: zero, so any unexplained difference halts. */
    defaultTolerance: NonNegativeDecimalString.default('0'),
    /** Asset in which the P&L drift is valued (the `prices` of a run are in this asset). */
    valuationAsset: AssetCode.default('USDT'),
    /** Largest P&L drift, valued in `valuationAsset`, that does not halt. */
    pnlDriftTolerance: NonNegativeDecimalString.default('0'),
    /**
     * Holdings per asset that belong to no strategy position (what the account held before Bourse
     * traded, plus deposits, less withdrawals). The venue-implied position of a base asset is its
     * venue balance less this, plus the fees paid in it. Unlisted assets hold zero.
     */
    inventory: z.record(AssetCode, NonNegativeDecimalString).default({}),
    unknownOrders: UnknownOrderPolicy.default('report'),
    /**
     * A venue order created this close to (or after) the moment Bourse's side was read may simply be
     * newer than that read: it is left to the next run, neither reported nor canceled.
     */
    unknownOrderGraceMs: z.number().int().nonnegative().default(DEFAULT_UNKNOWN_ORDER_GRACE_MS),
  })
  .strict();
export type ReconcilerConfig = z.infer<typeof ReconcilerConfig>;
export type ReconcilerConfigInput = z.input<typeof ReconcilerConfig>;

/** Parses and defaults a config; throws ReconcileInputError naming every bad field. */
export function parseReconcilerConfig(value: unknown): ReconcilerConfig {
  const parsed = ReconcilerConfig.safeParse(value);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new ReconcileInputError('config', value, detail, parsed.error);
}
