// Process entry of the strategy runner (see start.ts).
import { runMain } from '@bourse/service';
import { describeStartFailure, runStrategyRunner, SERVICE } from './start.js';

runMain(SERVICE, () => runStrategyRunner(), describeStartFailure);
