import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { layerConfigs, SOURCE_FILES } from './layers.js';
import { REPO_ROOT } from './layers-rule.js';

// The layer rule run through ESLint's Node API on snippets placed at virtual paths (the files need
// not exist: libs/execution, libs/risk … are the target map's). Syntax only, no type information,
// so each case takes milliseconds.
const eslint = new ESLint({
  cwd: REPO_ROOT,
  overrideConfigFile: true,
  overrideConfig: [{ files: SOURCE_FILES, languageOptions: { parser: tseslint.parser } }, ...layerConfigs],
});

/** The layer rule's findings for `code` as if it were the file at `path`: message ids, in order. */
async function findings(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, path) });
  return (result?.messages ?? []).map((m) =>
    m.ruleId === 'bourse/layers' ? (m.messageId ?? m.message) : `${m.ruleId ?? 'fatal'}: ${m.message}`,
  );
}

type Case = [file: string, code: string, expected: string[]];

const cases: Record<string, Case[]> = {
  'a) a library imports a service': [
    ['libs/execution/src/outbox.ts', "import { x } from '@bourse/order-manager';", ['libraryImportsService']],
    [
      'libs/ledger/src/orders.ts',
      "import { y } from '../../../services/order-manager/src/store/index.js';",
      ['leavesPackage', 'libraryImportsService'],
    ],
    ['libs/backtest/src/run.ts', "const m = await import('@bourse/risk-gate');", ['libraryImportsService']],
    ['libs/venues/binance/src/harness.ts', "import { s } from '@bourse/exchange-sim';", ['libraryImportsService']],
    ['libs/risk/src/rules.test.ts', "import { s } from '@bourse/order-manager';", ['libraryImportsService']],
  ],
  'a) allowed: test code of a library starts the simulator': [
    ['libs/venues/binance/src/orders.sim.test.ts', "import { s } from '@bourse/exchange-sim';", []],
    ['libs/venues/binance/src/testing.ts', "export { startExchangeSim } from '@bourse/exchange-sim';", []],
    ['libs/market-feed/src/testing/feeds.ts', "import type { RunningExchangeSim } from '@bourse/exchange-sim';", []],
    ['libs/market-feed/test/quotes.ts', "import { s } from '@bourse/exchange-sim';", []],
    ['libs/execution/src/test-support.ts', "import { s } from '@bourse/exchange-sim';", []],
  ],
  'b) a service imports another service': [
    ['services/risk-gate/src/shell/oms.ts', "import { o } from '@bourse/order-manager';", ['serviceImportsService']],
    ['services/cli/src/replay.ts', "export { c } from '@bourse/strategy-runner';", ['serviceImportsService']],
    ['services/cli/src/sim/launch.ts', "import { s } from '@bourse/exchange-sim';", ['serviceImportsService']],
    ['services/market-data/src/x.test.ts', "import { r } from '@bourse/strategy-runner';", ['serviceImportsService']],
    [
      'services/reconciler/src/shell/ours.ts',
      "import { o } from '../../../order-manager/src/index.js';",
      ['leavesPackage', 'serviceImportsService'],
    ],
  ],
  'b) allowed: a service on libraries, its tests on the simulator': [
    [
      'services/order-manager/src/main.ts',
      "import { submitOrder } from '@bourse/execution';\nimport { connectBus } from '@bourse/bus';\nimport pg from 'pg';\nimport { upsertOrder } from './store/index.js';",
      [],
    ],
    ['services/order-manager/src/shell/test-support.ts', "import { s } from '@bourse/exchange-sim';", []],
    ['services/cli/src/backtest/command.ts', "import { runBacktest } from '@bourse/backtest';", []],
  ],
  'c) a core imports I/O or a shell': [
    ['libs/execution/src/submission.ts', "import pg from 'pg';", ['coreImportsIo']],
    ['libs/execution/src/store.ts', "import type { Pool } from 'pg';", ['coreImportsIo']],
    ['libs/risk/src/limits.ts', "import { readFileSync } from 'node:fs';", ['coreImportsIo']],
    ['libs/risk/src/recall.ts', "import { readFile } from 'fs/promises';", ['coreImportsIo']],
    ['libs/reconciliation/src/run.ts', "import { connect } from '@nats-io/transport-node';", ['coreImportsIo']],
    ['libs/matching/src/book.ts', "import Redis from 'ioredis';", ['coreImportsIo']],
    ['libs/domain/src/x.ts', "import WebSocket from 'ws';", ['coreImportsIo']],
    ['libs/contracts/src/x.ts', "import got from 'got';", ['coreImportsIo']],
    ['libs/strategy/src/runner/x.ts', "import { createServer } from 'node:http';", ['coreImportsIo']],
    ['libs/backtest/src/engine/sim-venue.ts', "import { connect } from 'node:net';", ['coreImportsIo']],
    ['libs/backtest/src/engine/sweep.ts', "import { spawn } from 'node:child_process';", ['coreImportsIo']],
    ['libs/market-feed/src/normalise.ts', "import { readFile } from 'node:fs/promises';", ['coreImportsIo']],
    ['services/risk-gate/src/core/rules.ts', "import Redis from 'ioredis';", ['coreImportsIo']],
    ['libs/reconciliation/src/run.ts', "import { Bus } from '@bourse/bus';", ['coreImportsShell']],
    ['libs/risk/src/startup.ts', "import { listOpenOrders } from '@bourse/ledger';", ['coreImportsShell']],
    ['libs/execution/src/log.ts', "import { logger } from '@bourse/telemetry';", ['coreImportsShell']],
    ['libs/execution/src/x.ts', "import { BinanceVenueClient } from '@bourse/venue-binance';", ['coreImportsShell']],
    ['services/order-manager/src/core/outbox.ts', "import { a } from '../shell/service.js';", ['coreLeavesCoreFolder']],
    ['services/risk-gate/src/core/rules/x.ts', "import { l } from '../../config/limits.js';", ['coreLeavesCoreFolder']],
    ['libs/execution/src/outbox.test.ts', "import pg from 'pg';", ['coreImportsIo']],
    [
      'libs/execution/src/outbox.test.ts',
      "import { createTestDatabase } from '@bourse/store/testing';",
      ['coreImportsShell'],
    ],
  ],
  'c) allowed: cores on cores and ports, adapters on I/O, server tests, fixtures': [
    [
      'libs/execution/src/submission.ts',
      "import { VenueError } from '@bourse/venues';\nimport { dec } from '@bourse/domain';\nimport { z } from 'zod';\nimport { randomUUID } from 'node:crypto';\nimport { book } from '@bourse/matching';\nimport { o } from './outbox.js';",
      [],
    ],
    ['libs/strategy/src/runner/runner-core.ts', "import { sma } from '../indicators/sma.js';", []],
    ['services/order-manager/src/core/outbox.ts', "import { t } from './transitions.js';", []],
    ['libs/bus/src/connect.ts', "import { connect } from '@nats-io/transport-node';", []],
    ['libs/ledger/src/orders.ts', "import type { Pool } from 'pg';\nimport { q } from '@bourse/store';", []],
    ['libs/backtest/src/data/source.ts', "import { createReadStream } from 'node:fs';", []],
    [
      'libs/market-feed/src/capture/read-capture.ts',
      "import { createReadStream } from 'node:fs';\nimport { BinanceReplayDecoder } from '@bourse/venue-binance';",
      [],
    ],
    ['libs/strategy/src/imports.test.ts', "import { readdirSync } from 'node:fs';", []],
    [
      'libs/execution/src/submission.sim.test.ts',
      "import pg from 'pg';\nimport { createTestDatabase } from '@bourse/store/testing';\nimport { BinanceVenueClient } from '@bourse/venue-binance';\nimport { s } from '@bourse/exchange-sim';",
      [],
    ],
    ['services/order-manager/src/core/submission.sim.test.ts', "import { s } from '../store/index.js';", []],
  ],
  'd) a strategy imports the bus or a venue': [
    [
      'libs/strategy/src/runner/x.ts',
      "import { Bus } from '@bourse/bus';",
      ['coreImportsShell', 'strategyImportsBusOrVenue'],
    ],
    [
      'libs/strategy/src/builtin/x.ts',
      "import type { VenueClient } from '@bourse/venues';",
      ['strategyImportsBusOrVenue'],
    ],
    [
      'libs/strategy/src/x.ts',
      "import { BinanceVenueClient } from '@bourse/venue-binance';",
      ['coreImportsShell', 'strategyImportsBusOrVenue'],
    ],
  ],
  'd) allowed: a strategy on contracts and domain': [
    [
      'libs/strategy/src/builtin/x.ts',
      "import { dec } from '@bourse/domain';\nimport type { Quote } from '@bourse/contracts';",
      [],
    ],
  ],
  "e) an import past a package's public entry": [
    ['services/cli/src/x.ts', "import { r } from '@bourse/backtest/src/engine/run.js';", ['pastPublicEntry']],
    ['libs/risk/src/x.ts', "import { o } from '../../execution/src/outbox.js';", ['leavesPackage']],
    ['libs/execution/src/x.ts', "type R = typeof import('../../risk/src/index.js');", ['leavesPackage']],
    [
      'libs/venues/src/x.ts',
      "import { b } from '../binance/src/index.js';",
      ['leavesPackage', 'coreImportsShell', 'foundationImportsAbove'],
    ],
    ['test/backtest.test.ts', "import { r } from '../services/cli/src/backtest/run-backtest.js';", ['leavesPackage']],
    ['test/support/x.ts', "const m = require('../../libs/backtest/src/index.js');", ['leavesPackage']],
    ['bench/x.bench.ts', "import { b } from '../libs/backtest/src/index.js';", ['leavesPackage']],
    ['libs/backtest/src/x.test.ts', "import { f } from '../../../test/support/browser.js';", ['leavesPackage']],
  ],
  'e) allowed: package entries, ./testing, own files, whole-system tests on services': [
    ['services/cli/src/x.ts', "import { b } from '@bourse/bus';\nimport { t } from '@bourse/bus/testing';", []],
    [
      'test/platform.system.test.ts',
      "import { main } from '@bourse/cli';\nimport { x } from './support/platform.js';",
      [],
    ],
    ['bench/x.bench.ts', "import { runBacktest } from '@bourse/backtest';\nimport { m } from './measure.js';", []],
  ],
  'f) the foundation imports nothing above it': [
    ['libs/domain/src/x.ts', "import { Book } from '@bourse/matching';", ['foundationImportsAbove']],
    ['libs/contracts/src/x.ts', "import { dec } from '@bourse/domain';", ['foundationImportsAbove']],
    ['libs/domain/src/x.ts', "import { OrderRequest } from '@bourse/contracts';", []],
  ],
};

describe('bourse/layers', () => {
  for (const [group, list] of Object.entries(cases)) {
    describe(group, () => {
      it.each(list)('%s: %s', async (file, code, expected) => {
        expect(await findings(file, code)).toEqual(expected);
      });
    });
  }

  it('is on in the repository config for every source file', async () => {
    const config = (await new ESLint({ cwd: REPO_ROOT }).calculateConfigForFile(
      join(REPO_ROOT, 'libs/execution/src/outbox.ts'),
    )) as { rules?: Record<string, unknown> };
    expect(config.rules?.['bourse/layers']).toEqual([2]);
  });
});
