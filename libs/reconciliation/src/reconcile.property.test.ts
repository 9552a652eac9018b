import type { ClientOrderId } from '@bourse/contracts';
import { Decimal, ZERO, positionFromFills, samePosition, type Fill } from '@bourse/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reconcile } from './reconcile.js';
import { T0, config, ourClientOrderId, ourOrder, trade } from './test-support.js';
import type { OurOrder, OurPosition } from './types.js';

// For any split of one account's trades into "the OMS saw it" and "the OMS missed it", the fills
// the reconciler recovers rebuild exactly the positions all the trades make, and those equal what
// the venue's balances imply; nothing drifts, nothing halts.

const INSTRUMENTS = ['BTC/USDT', 'ETH/USDT'] as const;
const STRATEGIES = ['sma-cross', 'breakout'] as const;
const INVENTORY = { BTC: '2', ETH: '30', USDT: '1000000', BNB: '50' } as const;

const tradeArb = fc.record({
  instrument: fc.constantFrom(...INSTRUMENTS),
  strategyId: fc.constantFrom(...STRATEGIES),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  qtyUnits: fc.integer({ min: 1, max: 5_000 }),
  priceUnits: fc.integer({ min: 1, max: 9_000_000 }),
  fee: fc.constantFrom('base', 'quote', 'BNB', 'none'),
  feeUnits: fc.integer({ min: 0, max: 1_000 }),
  missed: fc.boolean(),
});

const units = (n: number, scale: number): Decimal => Decimal.fromUnits(BigInt(n), scale);
const key = (strategyId: string, instrument: string) => `${strategyId}|${instrument}`;

describe('reconcile: property', () => {
  it('recovered fills make our positions equal the venue-implied ones, whatever the split', () => {
    fc.assert(
      fc.property(fc.array(tradeArb, { minLength: 1, maxLength: 25 }), (specs) => {
        const orders: OurOrder[] = [];
        const all: Fill[] = [];
        const seen: Fill[] = [];
        const totals = new Map<string, Decimal>(Object.entries(INVENTORY).map(([a, v]) => [a, Decimal.parse(v)]));
        const ours = new Map(totals);
        const move = (m: Map<string, Decimal>, asset: string, d: Decimal) =>
          m.set(asset, (m.get(asset) ?? ZERO).plus(d));
        const trades = specs.map((s, i) => {
          const [base = '', quote = ''] = s.instrument.split('/');
          const qty = units(s.qtyUnits, 4);
          const price = units(s.priceUnits, 2);
          const feeAsset = s.fee === 'base' ? base : s.fee === 'quote' ? quote : 'BNB';
          const fee = s.fee === 'none' ? ZERO : units(s.feeUnits, 6);
          const clientOrderId = ourClientOrderId(s.strategyId);
          const venueOrderId = String(500 + i);
          orders.push(
            ourOrder({
              clientOrderId,
              venueOrderId,
              instrument: s.instrument,
              strategyId: s.strategyId,
              side: s.side,
              status: 'filled',
              filledQty: qty.toString(),
            }),
          );
          const fill: Fill = {
            fillId: String(1000 + i),
            strategyId: s.strategyId,
            instrument: s.instrument,
            side: s.side,
            qty,
            price,
            fee: { asset: feeAsset, amount: fee },
            atMs: T0 + i,
          };
          all.push(fill);
          // The venue's balances move with every trade; ours only with the trades we saw.
          for (const book of s.missed ? [totals] : [totals, ours]) {
            move(book, base, s.side === 'BUY' ? qty : qty.neg());
            move(book, quote, s.side === 'BUY' ? qty.times(price).neg() : qty.times(price));
            move(book, feeAsset, fee.neg());
          }
          if (!s.missed) seen.push(fill);
          return trade(fill.fillId, venueOrderId, s.side, qty.toString(), price.toString(), {
            symbol: s.instrument as never,
            commission: fee.toString(),
            commissionAsset: feeAsset,
            time: fill.atMs,
          });
        });
        const keys = [...new Set(all.map((f) => key(f.strategyId, f.instrument)))];
        const positionOf = (fills: readonly Fill[], k: string) => {
          const [strategyId = '', instrument = ''] = k.split('|');
          return positionFromFills(
            strategyId,
            instrument,
            fills.filter((f) => key(f.strategyId, f.instrument) === k),
          );
        };
        const positions: OurPosition[] = keys.map((k) => {
          const p = positionOf(seen, k);
          return {
            strategyId: p.strategyId,
            instrument: p.instrument,
            qty: p.qty.toString(),
            fees: Object.fromEntries(Object.entries(p.fees).map(([a, v]) => [a, v.toString()])),
          };
        });
        const asBalances = (m: Map<string, Decimal>) =>
          [...m].map(([asset, v]) => ({ asset, free: v.toString(), locked: '0' }));

        const result = reconcile(
          {
            runId: 'prop',
            venue: 'binance',
            trigger: 'reconnect',
            startedAt: T0,
            checkpoint: {},
            venueSide: { openOrders: [], queriedOrders: [], trades, balances: asBalances(totals) },
            ours: {
              loadedAt: T0,
              orders,
              fills: seen.map((f) => ({
                instrument: f.instrument,
                venueFillId: f.fillId,
                side: f.side,
                qty: f.qty.toString(),
                price: f.price.toString(),
              })),
              positions,
              balances: asBalances(ours),
            },
            prices: { BTC: '60000', ETH: '3000', BNB: '600' },
          },
          config({ inventory: { BTC: INVENTORY.BTC, ETH: INVENTORY.ETH } }),
          T0 + 1,
        );

        const missedIds = specs.flatMap((s, i) => (s.missed ? [String(1000 + i)] : []));
        expect(result.report.missedFillsRecovered).toEqual(missedIds);
        // Feed the recovered events back the way the OMS would: they rebuild each position exactly.
        const strategyOf = new Map(orders.map((o) => [o.clientOrderId as ClientOrderId, o.strategyId]));
        const recovered: Fill[] = result.effects.fills.map((e) => ({
          fillId: e.venueFillId,
          strategyId: strategyOf.get(e.clientOrderId) ?? '',
          instrument: e.instrument,
          side: e.side,
          qty: Decimal.parse(e.qty),
          price: Decimal.parse(e.price),
          fee: { asset: e.feeAsset, amount: Decimal.parse(e.fee) },
          atMs: e.venueTime,
        }));
        for (const k of keys)
          expect(samePosition(positionOf([...seen, ...recovered], k), positionOf(all, k))).toBe(true);
        // And they equal the venue-implied position: balance − inventory + fees paid in the base.
        for (const instrument of INSTRUMENTS) {
          const base = instrument.split('/')[0] ?? '';
          const ourNet = keys
            .filter((k) => k.endsWith(`|${instrument}`))
            .reduce((sum, k) => sum.plus(positionOf([...seen, ...recovered], k).qty), ZERO);
          const feesInBase = all.reduce((sum, f) => (f.fee?.asset === base ? sum.plus(f.fee.amount) : sum), ZERO);
          const implied = (totals.get(base) ?? ZERO)
            .minus(Decimal.parse(INVENTORY[base as 'BTC' | 'ETH']))
            .plus(feesInBase);
          expect(ourNet.toString()).toBe(implied.toString());
        }
        expect(result.report.differences.positions).toEqual([]);
        expect(result.report.differences.balances).toEqual([]);
        expect(result.report.verdict).toBe('ok');
        expect(result.effects.halt).toBeUndefined();
      }),
      {
        numRuns: 200,
        // Kept from a failure while building: a missed BUY with its fee in the base asset.
        examples: [
          [
            [
              {
                instrument: 'BTC/USDT',
                strategyId: 'sma-cross',
                side: 'BUY',
                qtyUnits: 1,
                priceUnits: 1,
                fee: 'base',
                feeUnits: 1,
                missed: true,
              },
            ],
          ],
        ],
      },
    );
  });
});
