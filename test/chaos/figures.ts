// The chaos run's verdict: what the venue did against what the platform recorded. Pure: the run
// gathers the facts (the simulator's own order and trade lists, PostgreSQL's rows, the bus's
// intents and risk decisions) and this counts the discrepancies, each with the ids that show it.
import { dec } from '@bourse/domain';

export interface VenueOrderFact {
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  /** The venue's clock when it took the order (skew included). */
  readonly time: number;
}

export interface VenueTradeFact {
  readonly symbol: string;
  readonly id: number;
  readonly orderId: number;
  /** The venue's clock at the trade. */
  readonly time?: number;
}

export interface IntentFact {
  readonly id: string;
  readonly strategyId: string;
  readonly createdAt: number;
  readonly expiresAt: number | undefined;
}

export interface DecisionFact {
  readonly intentId: string;
  readonly outcome: 'accepted' | 'rejected';
  readonly clientOrderId: string | undefined;
  /** The rules a rejection names. */
  readonly rules?: readonly string[];
}

export interface StoredOrderFact {
  readonly clientOrderId: string;
  readonly status: string;
  readonly reason: string | null;
}

/** A limit chase the order manager stored (`tactics`): the parent's id, and how it ended. */
export interface TacticFact {
  readonly parentClientOrderId: string;
  readonly status: string;
  readonly outcome: string | null;
  readonly reason: string | null;
  /** Every child order id the chase made (the first keeps the parent's id). */
  readonly childClientOrderIds: readonly string[];
}

/** An outbox row: a request journaled before it was sent. */
export interface OutboxFact {
  readonly clientOrderId: string;
  readonly state: string;
  readonly lastError: string | null;
}

export interface SkewWindow {
  readonly fromMs: number;
  readonly toMs: number;
  readonly skewMs: number;
}

export interface Facts {
  readonly venueOrders: readonly VenueOrderFact[];
  readonly venueTrades: readonly VenueTradeFact[];
  /** venue_fill_id of every stored fill (`SYMBOL:tradeId`). */
  readonly storedFillIds: readonly string[];
  readonly intents: readonly IntentFact[];
  readonly decisions: readonly DecisionFact[];
  readonly storedOrders: readonly StoredOrderFact[];
  readonly tactics?: readonly TacticFact[];
  readonly outbox?: readonly OutboxFact[];
  /** Asset → total (free + locked), as decimal strings. */
  readonly venueBalances: Readonly<Record<string, string>>;
  readonly storedBalances: Readonly<Record<string, string>>;
  /** Instrument (BTC/USDT) → net position the venue's balances imply (base total minus the starting inventory). */
  readonly venuePositions: Readonly<Record<string, string>>;
  /** Instrument → the sum of every strategy's stored position. */
  readonly storedPositions: Readonly<Record<string, string>>;
  /** Clock-skew faults, so a venue time can be read on the real clock. */
  readonly skewWindows: readonly SkewWindow[];
}

export interface Discrepancy {
  readonly kind: 'duplicate' | 'lost' | 'lost-intent' | 'late' | 'mismatch';
  readonly ids: Record<string, unknown>;
  readonly detail: string;
}

export interface Figures {
  readonly orders: number;
  readonly duplicates: number;
  readonly lost: number;
  readonly lostIntents: number;
  /** undefined when no intent carries a shelf life (`expiresAt`) to judge by. */
  readonly late: number | undefined;
  /** How many venue orders had a shelf life to judge lateness by. */
  readonly judgedForLateness: number;
  readonly mismatches: number;
  readonly discrepancies: readonly Discrepancy[];
}

/** Statuses under which the order manager recorded an order that never reached the venue. */
const RECORDED_REFUSALS = new Set(['rejected', 'expired']);

/** How far before its intent's creation an order's real time may seem to be (clocks of two processes). */
const CLOCK_SLACK_MS = 1_000;

/**
 * The real time of a venue time: unskewed outside every skew window, shifted inside one. A venue
 * clock set back makes it ambiguous (an order just before the window reads like one inside it), so
 * of the readings not earlier than the intent was made, the earliest wins: an order reaches the
 * venue after its decision, and soon.
 */
export function realTime(venueTime: number, windows: readonly SkewWindow[], notBefore: number): number {
  const inWindow = (t: number) => windows.some((w) => t >= w.fromMs && t <= w.toMs);
  const readings = inWindow(venueTime) ? [] : [venueTime];
  for (const w of windows) {
    const real = venueTime - w.skewMs;
    if (real >= w.fromMs && real <= w.toMs) readings.push(real);
  }
  const plausible = readings.filter((t) => t >= notBefore - CLOCK_SLACK_MS);
  if (plausible.length > 0) return Math.min(...plausible);
  return readings.length > 0 ? Math.max(...readings) : venueTime;
}

function same(a: string | undefined, b: string | undefined): boolean {
  return dec(a ?? '0').eq(dec(b ?? '0'));
}

export function computeFigures(f: Facts): Figures {
  const discrepancies: Discrepancy[] = [];

  const byClientId = new Map<string, VenueOrderFact[]>();
  for (const o of f.venueOrders) byClientId.set(o.clientOrderId, [...(byClientId.get(o.clientOrderId) ?? []), o]);
  let duplicates = 0;
  for (const [clientOrderId, orders] of byClientId) {
    if (orders.length <= 1) continue;
    duplicates += orders.length - 1;
    discrepancies.push({
      kind: 'duplicate',
      ids: { clientOrderId, venueOrderIds: orders.map((o) => `${o.symbol}:${o.orderId}`) },
      detail: `${orders.length} venue orders carry one client order id`,
    });
  }
  const acceptedIds = new Map<string, Set<string>>();
  for (const d of f.decisions) {
    if (d.outcome !== 'accepted' || d.clientOrderId === undefined) continue;
    acceptedIds.set(d.intentId, (acceptedIds.get(d.intentId) ?? new Set()).add(d.clientOrderId));
  }
  for (const [intentId, ids] of acceptedIds) {
    const atVenue = [...ids].filter((id) => byClientId.has(id));
    if (atVenue.length <= 1) continue;
    duplicates += atVenue.length - 1;
    discrepancies.push({
      kind: 'duplicate',
      ids: { intentId, clientOrderIds: atVenue },
      detail: `one intent reached the venue as ${atVenue.length} orders`,
    });
  }

  const storedOrders = new Map(f.storedOrders.map((o) => [o.clientOrderId, o]));
  const outbox = new Map((f.outbox ?? []).map((o) => [o.clientOrderId, o]));
  const venueOrderById = new Map(f.venueOrders.map((o) => [`${o.symbol}:${o.orderId}`, o]));
  const stored = new Set(f.storedFillIds);
  let lost = 0;
  for (const t of f.venueTrades) {
    const id = `${t.symbol}:${t.id}`;
    if (stored.has(id)) continue;
    lost += 1;
    const clientOrderId = venueOrderById.get(`${t.symbol}:${t.orderId}`)?.clientOrderId;
    discrepancies.push({
      kind: 'lost',
      ids: {
        venueFillId: id,
        venueOrderId: `${t.symbol}:${t.orderId}`,
        clientOrderId,
        storedStatus: clientOrderId === undefined ? undefined : (storedOrders.get(clientOrderId)?.status ?? 'absent'),
        ...(t.time === undefined ? {} : { venueTime: new Date(t.time).toISOString() }),
      },
      detail: 'a venue trade of the account has no fill in PostgreSQL',
    });
  }

  const rejected = new Set(f.decisions.filter((d) => d.outcome === 'rejected').map((d) => d.intentId));
  const tactics = new Map((f.tactics ?? []).map((t) => [t.parentClientOrderId, t]));
  let lostIntents = 0;
  for (const intent of f.intents) {
    if (rejected.has(intent.id)) continue;
    const parents = [...(acceptedIds.get(intent.id) ?? [])];
    // A limit chase works its parent through child orders, each with its own id.
    const ids = [...new Set([...parents, ...parents.flatMap((id) => tactics.get(id)?.childClientOrderIds ?? [])])];
    if (ids.some((id) => byClientId.has(id))) continue;
    const refusal = ids
      .map((id) => storedOrders.get(id))
      .find((o) => o !== undefined && RECORDED_REFUSALS.has(o.status));
    if (refusal !== undefined) continue;
    // A chase that ended without placing anything, with its reason stored, is an outcome on record.
    if (parents.some((id) => tactics.get(id)?.status === 'done')) continue;
    lostIntents += 1;
    discrepancies.push({
      kind: 'lost-intent',
      ids: {
        intentId: intent.id,
        strategyId: intent.strategyId,
        createdAt: new Date(intent.createdAt).toISOString(),
        clientOrderIds: ids,
        storedStatus: ids.map((id) => storedOrders.get(id)?.status ?? 'absent'),
        outbox: ids.map((id) => {
          const row = outbox.get(id);
          return row === undefined ? 'absent' : `${row.state}: ${row.lastError ?? ''}`;
        }),
        tactic: parents.map((id) => {
          const t = tactics.get(id);
          return t === undefined ? 'none' : `${t.status} ${t.outcome ?? ''} ${t.reason ?? ''}`.trim();
        }),
      },
      detail:
        ids.length === 0
          ? 'no risk decision was recorded for the intent'
          : 'accepted, yet neither at the venue nor refused on record',
    });
  }

  const intentOfOrder = new Map<string, IntentFact>();
  const intentsById = new Map(f.intents.map((i) => [i.id, i]));
  for (const [intentId, ids] of acceptedIds) {
    const intent = intentsById.get(intentId);
    if (intent !== undefined) for (const id of ids) intentOfOrder.set(id, intent);
  }
  let late = 0;
  let judged = 0;
  for (const o of f.venueOrders) {
    const intent = intentOfOrder.get(o.clientOrderId);
    if (intent?.expiresAt === undefined) continue;
    judged += 1;
    const reachedAt = realTime(o.time, f.skewWindows, intent.createdAt);
    if (reachedAt <= intent.expiresAt) continue;
    late += 1;
    discrepancies.push({
      kind: 'late',
      ids: { clientOrderId: o.clientOrderId, intentId: intent.id, venueOrderId: `${o.symbol}:${o.orderId}` },
      detail: `reached the venue ${reachedAt - intent.expiresAt} ms after the decision expired`,
    });
  }

  let mismatches = 0;
  for (const asset of new Set([...Object.keys(f.venueBalances), ...Object.keys(f.storedBalances)])) {
    if (same(f.venueBalances[asset], f.storedBalances[asset])) continue;
    mismatches += 1;
    discrepancies.push({
      kind: 'mismatch',
      ids: { asset },
      detail: `balance: venue ${f.venueBalances[asset] ?? '0'}, PostgreSQL ${f.storedBalances[asset] ?? '0'}`,
    });
  }
  for (const instrument of new Set([...Object.keys(f.venuePositions), ...Object.keys(f.storedPositions)])) {
    if (same(f.venuePositions[instrument], f.storedPositions[instrument])) continue;
    mismatches += 1;
    discrepancies.push({
      kind: 'mismatch',
      ids: { instrument },
      detail: `position: venue ${f.venuePositions[instrument] ?? '0'}, PostgreSQL ${f.storedPositions[instrument] ?? '0'}`,
    });
  }

  const anyShelfLife = f.intents.some((i) => i.expiresAt !== undefined);
  return {
    orders: f.venueOrders.length,
    duplicates,
    lost,
    lostIntents,
    late: anyShelfLife ? late : undefined,
    judgedForLateness: judged,
    mismatches,
    discrepancies,
  };
}

/** The one line the run prints. */
export function figuresLine(seed: number, faults: number, figures: Figures, haltedS: number): string {
  return (
    `chaos seed=${seed} orders=${figures.orders} faults=${faults} duplicates=${figures.duplicates} ` +
    `lost=${figures.lost} lost_intents=${figures.lostIntents} late=${figures.late ?? 'n/a'} ` +
    `mismatches=${figures.mismatches} halted_s=${haltedS}`
  );
}
