// A strategy-runner process entry for the state process test: the service exactly as main.ts starts
// it, with the test's own strategy (entry-once) beside the built-ins.
import { runMain } from '@bourse/service';
import { describeStartFailure, runStrategyRunner, SERVICE } from '../start.js';
import { entryOnce } from './entry-once.fixture.js';

runMain(SERVICE, () => runStrategyRunner({ definitions: { 'entry-once': entryOnce } }), describeStartFailure);
