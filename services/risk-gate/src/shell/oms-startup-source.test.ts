// The risk state a restarted gate rebuilds from the order manager's rows equals the state the gate
// built live from the same orders' events (issue 15 part 2: after a restart every filled order
// counted as open). The order manager's rows are modelled as it writes them: one row per order with
// its last status and cumulative fill, every fill, and the journaled request of each open order;
// the gate reads open orders and the orders its fills belong to, as OmsStartupSource does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TERMINAL_ORDER_STATUSES, type ExecutionEvent, type OrderRequest, type OrderStatus } from '@bourse/contracts';
import { dec } from '@bourse/domain';
import type { FillRecord, StoredOrder } from '@bourse/ledger';
import { DAY_MS, RiskState, type BalanceSnapshot } from '@bourse/risk';
import { T0, VENUE, fill, orderRequest, quote, stateView, status } from '@bourse/risk/testing';
import { startupFromStore } from './oms-startup-source.js';

const BALANCES: BalanceSnapshot = {
  asOf: T0 - 2 * DAY_MS,
  balances: { USDT: { free: dec('100000'), locked: dec('0') }, BTC: { free: dec('10'), locked: dec('0') } },
};

/** How an order ends: still open, closed by the venue, or never heard of by the OMS (in flight). */
const ENDINGS = ['open', 'canceled', 'expired', 'rejected', 'in-flight'] as const;

const orderSpec = fc.record({
  strategyId: fc.constantFrom('alpha', 'beta'),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  units: fc.integer({ min: 1, max: 10 }), // hundredths of a BTC
  price: fc.integer({ min: 49_000, max: 51_000 }),
  fills: fc.array(
    fc.record({
      units: fc.integer({ min: 1, max: 4 }),
      at: fc.integer({ min: -DAY_MS - 3_600_000, max: -1 }),
      fee: fc.integer({ min: 0, max: 3 }),
    }),
    { maxLength: 3 },
  ),
  ending: fc.constantFrom(...ENDINGS),
  // Gaps between this order's events in the merged stream, so orders interleave.
  gaps: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 12, maxLength: 12 }),
});

type OrderSpec = typeof orderSpec extends fc.Arbitrary<infer T> ? T : never;

const hundredths = (n: number): string => dec(n).div(dec(100), 2).toString();

interface Lived {
  readonly request: OrderRequest;
  /** In the order the gate saw them; `accepted` is the gate's own acceptance. */
  readonly steps: ('accepted' | ExecutionEvent)[];
  readonly row?: StoredOrder;
  readonly fills: FillRecord[];
}

/** One order's life: what the gate saw live, and what the order manager stored. */
function live(spec: OrderSpec, k: number): Lived {
  const request = orderRequest({
    strategyId: spec.strategyId,
    side: spec.side,
    qty: hundredths(spec.units),
    price: String(spec.price),
  });
  const id = request.clientOrderId;
  const steps: Lived['steps'] = ['accepted'];
  if (spec.ending === 'in-flight') return { request, steps, fills: [] };
  const fills: FillRecord[] = [];
  let filled = 0;
  let last: OrderStatus = 'new';
  steps.push(status(id, 'new'));
  if (spec.ending !== 'rejected') {
    for (const [j, f] of spec.fills.entries()) {
      const units = Math.min(f.units, spec.units - filled);
      if (units === 0) break;
      filled += units;
      const qty = hundredths(units);
      const venueFillId = `${k}-${j}`;
      const event = fill({
        clientOrderId: id,
        side: spec.side,
        qty,
        price: String(spec.price),
        venueFillId,
        venueTime: T0 + f.at,
        fee: String(f.fee),
      });
      last = filled === spec.units ? 'filled' : 'partially-filled';
      steps.push(event, status(id, last, cumulative(filled, spec.price)));
      fills.push({
        venue: VENUE,
        instrument: 'BTC/USDT',
        venueFillId,
        clientOrderId: id,
        venueOrderId: `vo-${id}`,
        strategyId: spec.strategyId,
        side: spec.side,
        qty,
        price: String(spec.price),
        fee: String(f.fee),
        feeAsset: 'USDT',
        liquidity: 'maker',
        venueTime: T0 + f.at,
        recordedAt: T0,
      });
    }
  }
  if (last !== 'filled' && spec.ending !== 'open') {
    last = spec.ending;
    steps.push(status(id, last, cumulative(filled, spec.price)));
  }
  const row: StoredOrder = {
    clientOrderId: id,
    venue: VENUE,
    instrument: 'BTC/USDT',
    venueOrderId: `vo-${id}`,
    strategyId: spec.strategyId,
    strategyVersion: '1',
    side: spec.side,
    style: 'limit',
    qty: request.qty,
    price: request.price,
    timeInForce: 'GTC',
    status: last,
    filledQty: hundredths(filled),
    cumulativeQuoteQty: cumulative(filled, spec.price).quote,
    createdAt: request.createdAt,
    updatedAt: T0 - 1_000,
    version: steps.length,
  };
  return { request, steps, row, fills };
}

function cumulative(units: number, price: number): { filledQty: string; quote: string } {
  const filledQty = hundredths(units);
  return { filledQty, quote: dec(filledQty).times(dec(price)).toString() };
}

describe('the risk state rebuilt from the order manager rows (property)', () => {
  it('equals the state built live from the same events, whatever their interleaving', () => {
    fc.assert(
      fc.property(fc.array(orderSpec, { minLength: 1, maxLength: 8 }), (specs) => {
        const lives = specs.map((spec, k) => live(spec, k));

        // Live: every order's steps in its own order, orders interleaved by their gaps.
        const merged = lives.flatMap((l, k) => {
          let at = 0;
          return l.steps.map((step, i) => {
            at += specs[k]?.gaps[i] ?? 1;
            return { at, step, request: l.request };
          });
        });
        merged.sort((a, b) => a.at - b.at);
        const liveState = RiskState.rebuild({ balances: BALANCES }, { venue: VENUE });
        for (const { step, request } of merged) {
          if (step === 'accepted') liveState.recordAccepted(request);
          else liveState.applyExecutionEvent(step);
        }

        // Rebuilt: the rows the gate reads at start, plus the in-flight requests recall supplies.
        const rows = lives.flatMap((l) => (l.row ? [l.row] : []));
        const fills = lives.flatMap((l) => l.fills).sort((a, b) => a.venueTime - b.venueTime);
        const withFills = new Set(fills.map((f) => f.clientOrderId));
        const read = rows.filter((o) => !TERMINAL_ORDER_STATUSES.includes(o.status) || withFills.has(o.clientOrderId));
        const requests = new Map(
          lives.flatMap((l) =>
            l.row && !TERMINAL_ORDER_STATUSES.includes(l.row.status) ? [[l.request.clientOrderId, l.request]] : [],
          ),
        );
        const fromStore = startupFromStore(VENUE, { orders: read, requests, fills });
        const inFlight = lives.filter((l) => l.row === undefined).map((l) => l.request);
        const rebuilt = RiskState.rebuild(
          { orders: [...fromStore.orders, ...inFlight], events: fromStore.events, balances: BALANCES },
          { venue: VENUE },
        );

        const q = quote('BTC/USDT', '49990', '50010', T0);
        liveState.applyQuote(q);
        rebuilt.applyQuote(q);
        expect(stateView(rebuilt)).toEqual(stateView(liveState));
      }),
      { numRuns: 300 },
    );
  });

  it('a strategy whose orders all filled has none open after the rebuild', () => {
    const lives = [0, 1, 2, 3, 4, 5].map((k) =>
      live(
        {
          strategyId: 'alpha',
          side: 'BUY',
          units: 1,
          price: 50_000,
          fills: [{ units: 1, at: -k - 1, fee: 0 }],
          ending: 'open',
          gaps: [],
        },
        k,
      ),
    );
    const fills = lives.flatMap((l) => l.fills);
    const rows = lives.flatMap((l) => (l.row ? [l.row] : []));
    const fromStore = startupFromStore(VENUE, { orders: rows, requests: new Map(), fills });
    const rebuilt = RiskState.rebuild(fromStore, { venue: VENUE });
    expect(rebuilt.position('alpha', 'BTC/USDT').toString()).toBe('0.06');
    expect(rebuilt.openOrdersOf('alpha')).toEqual([]);
  });
});
