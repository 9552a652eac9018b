// @bourse/strategy-runner/testing: a paper runner in-process on a given clock, for the whole-system
// replay-vs-backtest comparison in test/.
export { startPaperRunner, type PaperRunner } from './test-support.js';
