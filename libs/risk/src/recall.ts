import type { OrderRequest, RiskDecision } from '@bourse/contracts';
import type { RecordedDecision } from './risk-state.js';

// Decisions made before a restart, rebuilt from what the gate itself published: RiskDecisions on
// RISK and OrderRequests on ORDERS, both under message id = intent id. A redelivered intent (the
// previous process crashed between publishing and acking it) is then answered with the same
// decision and the same client order id, so JetStream and the OMS's outbox de-duplicate it.
//
// The OrderRequest is the authority for an acceptance: the gate publishes it before the decision,
// so a crash between the two leaves an order on ORDERS with no decision on RISK. A decision is then
// rebuilt from the request. An accepted decision whose request is not on ORDERS (trimmed) cannot be
// republished and is left out: the intent would be judged again.

export interface RecallResult {
  readonly recalled: RecordedDecision[];
  /** Accepted decisions on RISK without their OrderRequest on ORDERS (left out). */
  readonly unmatched: number;
}

/** Joins the streams' decisions and order requests by intent id; the first of each intent in stream order wins. */
export function recallDecisions(
  decisions: readonly RiskDecision[],
  orderRequests: readonly OrderRequest[],
  venue: string,
): RecallResult {
  const requests = new Map<string, OrderRequest>();
  for (const r of orderRequests) if (r.venue === venue && !requests.has(r.intentId)) requests.set(r.intentId, r);
  const byIntent = new Map<string, RiskDecision>();
  for (const d of decisions) if (!byIntent.has(d.intentId)) byIntent.set(d.intentId, d);

  const recalled: RecordedDecision[] = [];
  let unmatched = 0;
  for (const [intentId, orderRequest] of requests) {
    const known = byIntent.get(intentId);
    const decision: RiskDecision =
      known?.outcome === 'accepted' && known.clientOrderId === orderRequest.clientOrderId
        ? known
        : {
            v: 1,
            intentId: orderRequest.intentId,
            strategyId: orderRequest.strategyId,
            instrument: orderRequest.instrument,
            decidedAt: orderRequest.createdAt,
            outcome: 'accepted',
            clientOrderId: orderRequest.clientOrderId,
          };
    recalled.push({ decision, orderRequest });
  }
  for (const [intentId, decision] of byIntent) {
    if (requests.has(intentId)) continue;
    if (decision.outcome === 'rejected') recalled.push({ decision });
    else unmatched++;
  }
  return { recalled, unmatched };
}
