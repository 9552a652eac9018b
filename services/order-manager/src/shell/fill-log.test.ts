// Every fill writes one readable info line once it is committed: price, quantity, fee, the order it
// filled and the strategy's position after it. The real sim, NATS and PostgreSQL (test-support).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderRequest } from '@bourse/contracts';
import { createLogger } from '@bourse/telemetry';
import { captureLogs } from '@bourse/telemetry/testing';
import { orderRequest, startHarness, waitFor, type Harness } from './test-support.js';

let h: Harness;
const logs = captureLogs();

beforeAll(async () => {
  h = await startHarness();
  await h.setMode('ACTIVE');
  const venue = await h.connectVenue();
  await h.startService(venue, {
    logger: createLogger({ service: 'order-manager-test', level: 'info', destination: logs.destination }),
  });
}, 30_000);

afterAll(async () => {
  await h?.close();
}, 30_000);

describe('the fill log line', () => {
  it('names the price, quantity, fee, order and the position after each fill', async () => {
    const req = orderRequest({ strategyId: 'logged', qty: '0.01', price: '30000' });
    h.sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '30000', quantity: '0.004' });
    await h.bus.publishDurable(
      h.subjects.orderRequest(req.venueSymbol),
      { name: 'OrderRequest', schema: OrderRequest },
      req,
      { msgId: req.clientOrderId },
    );
    const fillLines = () => logs.entries().filter((e) => e['msg'] === 'fill applied');
    await waitFor('the first fill line', () => (fillLines().length === 1 ? true : undefined));
    h.sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '30000', quantity: '0.006' });
    await waitFor('the second fill line', () => (fillLines().length === 2 ? true : undefined));

    const [first, second] = fillLines();
    expect(first).toMatchObject({
      level: 'info',
      clientOrderId: req.clientOrderId,
      strategyId: 'logged',
      instrument: 'BTC/USDT',
      side: 'BUY',
      qty: '0.004',
      price: '30000',
      orderFilledQty: '0.004',
      positionQty: '0.004',
      positionAvgEntry: '30000',
      realizedPnl: '0',
    });
    expect(first?.['fee']).toMatch(/^\d+(\.\d+)?$/);
    expect(typeof first?.['feeAsset']).toBe('string');
    expect(typeof first?.['venueFillId']).toBe('string');
    expect(second).toMatchObject({ qty: '0.006', orderFilledQty: '0.01', positionQty: '0.01' });
  }, 30_000);
});
