import { Intent } from '@bourse/contracts';
import type { IntentDraft } from '../types.js';
import { InvalidIntentError, issuesOf } from './errors.js';
import { decisionExpiry } from './shelf-life.js';

/** The fields the runner owns: who decided, for which venue, when, under which intent id. */
export interface IntentMeta {
  readonly id: string;
  readonly strategyId: string;
  readonly strategyVersion: string;
  /** The hash of the strategy's code (the loader's `codeHash`), when the strategy came through the loader. */
  readonly codeHash?: string;
  readonly venue: string;
  /** The decision time. */
  readonly createdAt: number;
  /** When the market data the decision was made on was received (the quote's `receivedAt`), if known. */
  readonly marketDataAt?: number;
  /**
   * The strategy's bound for this draft's style (DESIGN 13): the intent expires `createdAt` + this,
   * or at the draft's own earlier `expiresAt`. Absent: only the draft's own expiry, if any.
   */
  readonly maxDecisionAgeMs?: number;
}

/**
 * Completes a strategy's draft into a full Intent and validates it with the contract's schema (shape
 * rules included: qty xor quoteQty, price only on priced styles, ...). Pure. Throws InvalidIntentError
 * naming each bad path; `strategy` in the error is `meta.strategyId`.
 */
export function completeIntent(draft: IntentDraft, meta: IntentMeta): Intent {
  const candidate = withoutUndefined({
    v: 1,
    id: meta.id,
    strategyId: meta.strategyId,
    strategyVersion: meta.strategyVersion,
    codeHash: meta.codeHash,
    venue: meta.venue,
    instrument: draft.instrument,
    side: draft.side,
    qty: draft.qty,
    quoteQty: draft.quoteQty,
    style: draft.style,
    price: draft.price,
    stopPrice: draft.stopPrice,
    timeInForce: draft.timeInForce,
    constraints: draft.constraints,
    reduceOnly: draft.reduceOnly ?? false,
    expiresAt:
      meta.maxDecisionAgeMs === undefined
        ? draft.expiresAt
        : decisionExpiry(meta.createdAt, meta.maxDecisionAgeMs, draft.expiresAt),
    inputs: draft.inputs ?? {},
    marketDataAt: meta.marketDataAt,
    createdAt: meta.createdAt,
  });
  const parsed = Intent.safeParse(candidate);
  if (!parsed.success) throw new InvalidIntentError(meta.strategyId, issuesOf(parsed.error.issues), draft);
  return parsed.data;
}

// Absent optional fields stay absent in the message rather than travelling as explicit undefined.
function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
