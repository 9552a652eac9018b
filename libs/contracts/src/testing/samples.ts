// One valid message per contract, the seeds that the fuzz tests mutate.

const at = 1_700_000_000_000;

export const sampleIntent = {
  v: 1,
  id: 'sma-cross:BTCUSDT:1700000000000',
  strategyId: 'sma-cross',
  strategyVersion: '1.2.0',
  venue: 'binance',
  instrument: 'BTC/USDT',
  side: 'BUY',
  qty: '0.01',
  style: 'limit',
  price: '64000.00',
  timeInForce: 'GTC',
  constraints: { maxSlippageBps: '15', limitWindowMs: 30_000, marketFallback: true },
  reduceOnly: false,
  expiresAt: at + 60_000,
  inputs: { smaFast: '64010.5', smaSlow: '63900.25', signal: 'cross-up' },
  createdAt: at,
};

export const sampleMarketIntent = {
  v: 1,
  id: 'sma-cross:BTCUSDT:1700000000001',
  strategyId: 'sma-cross',
  strategyVersion: '1.2.0',
  venue: 'binance',
  instrument: 'BTC/USDT',
  side: 'SELL',
  style: 'market',
  quoteQty: '250.00',
  reduceOnly: false,
  expiresAt: at + 60_000,
  inputs: {},
  createdAt: at,
};

export const sampleOrderRequest = {
  v: 1,
  clientOrderId: 'bsm-sma-cross-000001',
  intentId: 'sma-cross:BTCUSDT:1700000000000',
  strategyId: 'sma-cross',
  strategyVersion: '1.2.0',
  venue: 'binance',
  instrument: 'BTC/USDT',
  venueSymbol: 'BTCUSDT',
  side: 'BUY',
  qty: '0.01000',
  style: 'limit',
  price: '64000.00',
  timeInForce: 'GTC',
  constraints: { maxSlippageBps: '15', limitWindowMs: 30_000, marketFallback: true },
  reduceOnly: false,
  createdAt: at + 10,
};

export const sampleStatusUpdate = {
  v: 1,
  type: 'order-status',
  eventId: 'binance:exec:BTCUSDT:28:3',
  venue: 'binance',
  instrument: 'BTC/USDT',
  clientOrderId: 'bsm-sma-cross-000001',
  venueOrderId: '28',
  status: 'partially-filled',
  filledQty: '0.004',
  cumulativeQuoteQty: '256.0004',
  avgPrice: '64000.1',
  venueTime: at + 100,
};

export const sampleFill = {
  v: 1,
  type: 'fill',
  eventId: 'binance:fill:BTCUSDT:12345',
  venue: 'binance',
  venueFillId: '12345',
  clientOrderId: 'bsm-sma-cross-000001',
  venueOrderId: '28',
  instrument: 'BTC/USDT',
  side: 'BUY',
  qty: '0.004',
  price: '64000.1',
  fee: '0.000004',
  feeAsset: 'BTC',
  liquidity: 'maker',
  venueTime: at + 100,
};

const md = { v: 1, venue: 'binance', instrument: 'BTC/USDT' };

export const sampleQuote = {
  ...md,
  bidPrice: '64000.10',
  bidQty: '0.5',
  askPrice: '64000.20',
  askQty: '1.25',
  updateId: 400900217,
  receivedAt: at + 50,
};

export const sampleTrade = {
  ...md,
  venueTradeId: '3300112',
  price: '64000.15',
  qty: '0.002',
  aggressor: 'SELL',
  venueTime: at,
  receivedAt: at + 4,
};

export const sampleBookSnapshot = {
  ...md,
  lastUpdateId: 1027024,
  bids: [
    ['4.00000000', '431.00000000'],
    ['3.99', '10'],
  ],
  asks: [['4.00000200', '12.00000000']],
  receivedAt: at,
};

export const sampleBookDelta = {
  ...md,
  firstUpdateId: 157,
  lastUpdateId: 160,
  bids: [['0.0024', '10']],
  asks: [['0.0026', '0']],
  venueTime: at,
  receivedAt: at + 2,
};

const who = { v: 1, requestedBy: 'alice', requestedAt: at };

export const sampleOperatorCommands = [
  { ...who, command: 'kill', scope: { kind: 'global' }, cancelAll: true, reason: 'venue incident' },
  { ...who, command: 'resume', scope: { kind: 'strategy', strategyId: 'sma-cross' }, reason: 'fixed' },
  { ...who, command: 'cancel-all', scope: { kind: 'instrument', symbol: 'BTCUSDT' } },
  { ...who, command: 'cancel', clientOrderId: 'bsm-sma-cross-000001' },
  { ...who, command: 'status' },
  { ...who, command: 'recon-now' },
];

export const sampleTradingState = {
  v: 1,
  scope: { kind: 'instrument', symbol: 'BTCUSDT' },
  mode: 'HALTED',
  reason: 'reconciliation drift 12.5 USDT over tolerance 10',
  setBy: 'reconciler',
  updatedAt: at,
};

const decision = {
  v: 1,
  intentId: 'sma-cross:BTCUSDT:1700000000000',
  strategyId: 'sma-cross',
  instrument: 'BTC/USDT',
  decidedAt: at + 5,
};

export const sampleRiskDecisions = [
  { ...decision, outcome: 'accepted', clientOrderId: 'bsm-sma-cross-000001' },
  {
    ...decision,
    outcome: 'rejected',
    failures: [{ rule: 'max-position', message: 'position would exceed 0.5 BTC', limit: '0.5', actual: '0.51' }],
  },
];

export const sampleInstrument = {
  v: 1,
  symbol: 'BTC/USDT',
  venue: 'binance',
  venueSymbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.01',
  stepSize: '0.00001',
  marketStepSize: '0.00001',
  minQty: '0.00001',
  maxQty: '9000',
  minNotional: '5',
  multiplier: '1',
};

export const sampleVenueCorrections = { v: 1, runId: 'r1', venue: 'binance', fills: [sampleFill], orderUpdates: [] };

export const sampleBookTransferCommands = [
  { ...who, command: 'book-transfer', asset: 'USDT', delta: '250', reason: 'deposit found at the venue' },
  { ...who, command: 'book-transfer', asset: 'BTC', delta: '-0.015', reason: 'withdrawal made on the website' },
];
