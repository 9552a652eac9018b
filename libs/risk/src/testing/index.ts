// Builders for tests of the risk engine and of the packages around it (the risk gate's shell):
// instruments, limits, intents, quotes, fills, a manual clock and a ready RiskGateCore.

export {
  VENUE,
  T0,
  BTC,
  ETH,
  registry,
  ManualClock,
  limits,
  intent,
  quote,
  tradingState,
  fill,
  status,
  orderRequest,
  freshState,
  gate,
  seedPosition,
  failedRules,
  failuresOf,
  stateView,
} from '../test-support.js';
