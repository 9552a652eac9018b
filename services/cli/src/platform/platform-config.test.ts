// The platform config file: the shipped files are valid, a bad file is refused naming the field,
// environment overrides win and are named when they are wrong, and the launch plan gives each
// service its own variables.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isCliError } from '../errors.js';
import { repoRoot } from '../paths.js';
import { loadPlatformConfig } from './load-platform-config.js';
import { activatesOnFirstPass, launchPlan, reconcilerSettings } from './service-env.js';

const root = repoRoot();

/** Loads `text` as if it were the file `test.yaml`. */
function loadText(text: string, env: Record<string, string> = {}) {
  return loadPlatformConfig({ root, file: 'test.yaml', env, readFile: () => text });
}

function errorOf(run: () => unknown): { message: string; code: string; variable: string } {
  try {
    run();
  } catch (err) {
    if (isCliError(err) && err.name === 'ConfigError') {
      return { message: err.message, code: err.code, variable: (err as unknown as { variable: string }).variable };
    }
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const MINIMAL = `v: 1\nrisk: { limitsFile: /etc/limits.yaml }\n`;

describe('platform config', () => {
  it('config/bourse.yaml: paper trading sma-cross on BTCUSDT and ETHUSDT against the sim, with limits', () => {
    const { config, file } = loadPlatformConfig({ root, env: {} });
    expect(file).toBe(`${root}config/bourse.yaml`);
    expect(config.venue.target).toBe('sim');
    expect(config.strategies.list.map((s) => [s['name'], s['instruments']])).toEqual([
      ['sma-cross', ['BTC/USDT']],
      ['sma-cross', ['ETH/USDT']],
    ]);
    expect(config.risk.limits?.defaults.maxOrderQty).toBe('1');
    expect(config.ops.ports).toEqual({
      'order-manager': 9202,
      'risk-gate': 9102,
      reconciler: 9104,
      'strategy-runner': 9105,
      'market-data': 9402,
    });
    expect(activatesOnFirstPass(config)).toBe(true);
  });

  it('the default strategies trade on 1-second bars with market orders inside the default limits', () => {
    const { config } = loadPlatformConfig({ root, env: {} });
    const limits = config.risk.limits!;
    for (const entry of config.strategies.list) {
      const params = entry['params'] as { fast: number; slow: number; timeframe: string; sizing: { qty: string } };
      expect(params.timeframe).toBe('1s');
      expect(params.fast).toBeLessThan(params.slow);
      expect(Number(params.sizing.qty)).toBeLessThanOrEqual(Number(limits.defaults.maxOrderQty));
      expect(Number(params.sizing.qty)).toBeLessThanOrEqual(Number(limits.defaults.maxPosition));
    }
    // ~0.2 ETH at the sim's 3000 and 0.01 BTC at its 60000 are both far inside the notional cap.
    expect(Number(limits.defaults.maxOrderNotional)).toBeGreaterThanOrEqual(1_000);
  });

  it('config/bourse.testnet.example.yaml: testnet, no sim, nothing activates by itself, no key in the file', () => {
    const { config } = loadPlatformConfig({ root, file: 'config/bourse.testnet.example.yaml', env: {} });
    expect(config.venue.target).toBe('testnet');
    expect(activatesOnFirstPass(config)).toBe(false);
    const plan = launchPlan(config, '/state');
    expect(plan.simArgs).toBeUndefined();
    expect(plan.endpoints.restUrl).toBe('https://testnet.binance.vision');
    expect(JSON.stringify(plan)).not.toMatch(/API_KEY|API_SECRET/);
  });

  it('an empty mapping with a limits path takes every default', () => {
    const { config } = loadText(MINIMAL);
    expect(config.servers.nats).toBe('nats://127.0.0.1:4222');
    expect(config.sim.activity.stepMs).toBe(200);
    expect(config.namespace).toBe('');
  });

  it('a bad value is refused naming the field and the file', () => {
    const e = errorOf(() => loadText(`${MINIMAL}ops: { ports: { risk-gate: 70000 } }\n`));
    expect(e.code).toBe('INVALID_CONFIG');
    expect(e.variable).toBe('ops.ports.risk-gate');
    expect(e.message).toMatch(/^test\.yaml: ops\.ports\.risk-gate .*65535.*\(got 70000\)/);
  });

  it('a bad value that looks like a key or secret is refused without echoing it', () => {
    const secret = 'c9f1e0a7b3d24f6e8a1b0c9d7e6f5a4b3c2d1e0f9a8b7c6d';
    const e = errorOf(() => loadText(`${MINIMAL}sim: { port: "${secret}" }\n`));
    expect(e.message).toMatch(/^test\.yaml: sim\.port .*\(got a 48-character value not shown: it may be a secret\)/);
    expect(e.message).not.toContain(secret);
  });

  it('an unknown key is refused by name (an API key pasted into the file among them)', () => {
    const e = errorOf(() => loadText(`${MINIMAL}venue: { target: testnet, apiKey: abc }\n`));
    expect(e.message).toBe('test.yaml: venue unknown key(s) apiKey');
  });

  it('two services on one ops port are refused', () => {
    const e = errorOf(() => loadText(`${MINIMAL}ops: { ports: { reconciler: 9102 } }\n`));
    expect(e.message).toMatch(/ops\.ports\.(risk-gate|reconciler) port 9102 is also/);
  });

  it('limits are checked with the risk gate schema, and some limits are required', () => {
    expect(errorOf(() => loadText('v: 1\n')).message).toMatch(/risk .*limitsFile .* or limits/);
    const bad = errorOf(() => loadText('v: 1\nrisk: { limits: { v: 1, defaults: { maxOrderNotional: 5 } } }\n'));
    expect(bad.variable).toMatch(/^risk\.limits\.defaults\./);
  });

  it('strategy params are checked by the runner, named by field', () => {
    const text = `${MINIMAL}strategies:\n  list:\n    - { name: sma-cross, version: 1.0.0, venue: binance, instruments: [BTC/USDT], params: { fast: 30, slow: 20, sizing: { kind: qty, qty: '1' } } }\n`;
    const e = errorOf(() => loadText(text));
    expect(e.message).toMatch(/^test\.yaml: strategies\.list\.0\.params: .*fast/);
  });

  it("an inline module: strategy is kept for the runner, its relative path made absolute against the config's folder", () => {
    const text = `${MINIMAL}strategies:\n  list:\n    - { module: ./strategies/mine.ts#mine, id: mine, version: 0.1.0, venue: binance, instruments: [BTC/USDT] }\n    - { module: '@acme/strats', version: 0.1.0, venue: binance, instruments: [ETH/USDT] }\n`;
    const { config } = loadPlatformConfig({ root, file: 'config/test.yaml', env: {}, readFile: () => text });
    expect(config.strategies.list.map((s) => s['module'])).toEqual([
      join(root, 'config/strategies/mine.ts#mine'),
      '@acme/strats',
    ]);
    const plan = launchPlan(config, '/repo/.bourse');
    expect((parseYaml(plan.files[0]!.content) as { strategies: unknown[] }).strategies).toEqual(config.strategies.list);
    // The entry's schema is still checked before start: name and module together are refused.
    const both = `${MINIMAL}strategies:\n  list:\n    - { name: sma-cross, module: ./x.ts, version: 1.0.0, venue: binance, instruments: [BTC/USDT] }\n`;
    expect(errorOf(() => loadText(both)).message).toMatch(/strategies\.list\.0\.name: give either name/);
  });

  it('YAML that does not parse is refused naming the file', () => {
    expect(errorOf(() => loadText('v: [1\n')).message).toMatch(/^test\.yaml is not valid YAML or JSON/);
  });

  it('JSON is accepted (JSON is YAML)', () => {
    expect(loadText(JSON.stringify(parseYaml(MINIMAL))).config.risk.limitsFile).toBe('/etc/limits.yaml');
  });

  it('a missing file named by --config or BOURSE_CONFIG is an error naming it', () => {
    const e = errorOf(() => loadPlatformConfig({ root, env: { BOURSE_CONFIG: 'config/nope.yaml' } }));
    expect(e.message).toMatch(/cannot read the config file config\/nope\.yaml/);
  });

  it('environment variables override the file and are listed', () => {
    const loaded = loadText(MINIMAL, {
      NATS_URL: 'nats://10.0.0.1:4333',
      DATABASE_URL: 'postgres://u:pw@db:5432/x',
      REDIS_URL: 'redis://cache:6380',
      BOURSE_NAMESPACE: 'dev1',
      BOURSE_VENUE_TARGET: 'testnet',
      BOURSE_SIM_PORT: '18090',
      BOURSE_STRATEGIES_FILE: '/s.yaml',
    });
    expect(loaded.config.servers).toEqual({
      nats: 'nats://10.0.0.1:4333',
      postgres: 'postgres://u:pw@db:5432/x',
      redis: 'redis://cache:6380',
    });
    expect(loaded.config.namespace).toBe('dev1');
    expect(loaded.config.venue.target).toBe('testnet');
    expect(loaded.config.sim.port).toBe(18090);
    expect(loaded.config.strategies.file).toBe('/s.yaml');
    expect(loaded.overrides).toContain('BOURSE_VENUE_TARGET');
  });

  it('a bad override names the variable and masks a password', () => {
    const e = errorOf(() => loadText(MINIMAL, { DATABASE_URL: 'mysql://u:s3cret@db/x' }));
    expect(e.variable).toBe('DATABASE_URL');
    expect(e.message).toMatch(/^DATABASE_URL \(overrides servers\.postgres of test\.yaml\) has protocol "mysql:"/);
    expect(e.message).not.toContain('s3cret');
    expect(errorOf(() => loadText(MINIMAL, { BOURSE_SIM_PORT: 'x' })).message).toMatch(
      /BOURSE_SIM_PORT must be a whole number/,
    );
    expect(errorOf(() => loadText(MINIMAL, { BOURSE_VENUE_TARGET: 'live' })).variable).toBe('BOURSE_VENUE_TARGET');
    expect(errorOf(() => loadText(MINIMAL, { NATS_URL: '' })).message).toMatch(/NATS_URL is empty/);
  });
});

describe('launch plan', () => {
  const { config } = loadPlatformConfig({ root, env: {} });
  const plan = launchPlan(config, '/repo/.bourse');

  it('runs the sim with the configured market activity, symbols, balances and state file', () => {
    expect(plan.simArgs).toEqual([
      '--host', '127.0.0.1', '--port', '8090', '--seed', '1', '--symbols', 'BTCUSDT,ETHUSDT',
      '--balances', 'USDT=100000,BTC=1,ETH=10', '--state-file', '/repo/.bourse/exchange-sim/state.json',
      '--step-ms', '200', '--volatility', '0.0005', '--drift', '0',
    ]); // prettier-ignore
  });

  it('passes --allow-changed to the strategy runner only when given', () => {
    expect(plan.serviceEnv['strategy-runner']).not.toHaveProperty('RUNNER_ALLOW_CHANGED_CODE');
    const allowing = launchPlan(config, '/repo/.bourse', { allowChangedCode: true });
    expect(allowing.serviceEnv['strategy-runner']).toMatchObject({ RUNNER_ALLOW_CHANGED_CODE: 'true' });
  });

  it('writes the strategies, the limits and the reconciler settings under the state folder', () => {
    expect(plan.files.map((f) => f.path)).toEqual([
      '/repo/.bourse/strategies.yaml',
      '/repo/.bourse/risk-limits.yaml',
      '/repo/.bourse/reconciler.json',
    ]);
    const strategies = parseYaml(plan.files[0]!.content) as { strategies: unknown[] };
    expect(strategies.strategies).toEqual(config.strategies.list);
    expect(parseYaml(plan.files[1]!.content)).toEqual(config.risk.limits);
    // Paper trading: what the sim account holds before Bourse trades is inventory, not drift.
    expect(JSON.parse(plan.files[2]!.content).inventory).toEqual({ USDT: '100000', BTC: '1', ETH: '10' });
  });

  it("gives each service its own variables: files, ports, the sim's URLs, activation", () => {
    expect(plan.serviceEnv['strategy-runner']).toMatchObject({
      STRATEGIES_FILE: '/repo/.bourse/strategies.yaml',
      OPS_PORT: '9105',
      MD_REDIS_PREFIX: 'bourse:md:',
      RUNNER_VENUE_TARGET: 'sim',
      RUNNER_SIM_REST_URL: 'http://127.0.0.1:8090',
    });
    // The order manager's market fallback reads the gateway's book from the same keys.
    expect(plan.serviceEnv['order-manager']).toMatchObject({ MD_REDIS_PREFIX: 'bourse:md:' });
    expect(plan.serviceEnv['risk-gate']).toMatchObject({
      RISK_LIMITS_FILE: '/repo/.bourse/risk-limits.yaml',
      RISK_GATE_OPS_PORT: '9102',
    });
    expect(plan.serviceEnv['market-data']).toMatchObject({
      MD_VENUE_TARGET: 'sim',
      MD_SIM_REST_URL: 'http://127.0.0.1:8090',
      MD_INSTRUMENTS: 'BTCUSDT,ETHUSDT',
      MD_OPS_PORT: '9402',
    });
    // market-data refuses an MD_* variable it does not know, so the runner's MD_REDIS_PREFIX stays out.
    expect(Object.keys(plan.serviceEnv['market-data'])).not.toContain('MD_REDIS_PREFIX');
    expect(plan.serviceEnv.reconciler).toMatchObject({
      RECON_ACTIVATE_ON_FIRST_PASS: 'true',
      RECON_CONFIG_FILE: '/repo/.bourse/reconciler.json',
      RECON_INTERVAL_MS: '120000',
    });
    expect(plan.serviceEnv['order-manager']).toMatchObject({
      OMS_VENUE_TARGET: 'sim',
      OMS_SIM_WS_API_URL: 'ws://127.0.0.1:8090/ws-api/v3',
      OPS_PORT: '9202',
    });
    expect(plan.serviceEnv.reconciler).toMatchObject({ RECON_VENUE_TARGET: 'sim', RECON_OPS_PORT: '9104' });
    expect(plan.opsUrls['market-data']).toBe('http://127.0.0.1:9402');
  });

  it('hands every process that calls the venue one shared rate budget: per IP and per account, in Redis', () => {
    const expected = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      BOURSE_RATE_BUDGET: 'redis',
      BOURSE_RATE_BUDGET_PREFIX: 'bourse:ratelimit:binance:sim:',
      BOURSE_VENUE_IP: 'local',
      BOURSE_VENUE_ACCOUNT: 'main',
      BOURSE_RATE_FALLBACK_SHARE: '0.1',
      BOURSE_RATE_EDGE_MS: '2000',
    };
    for (const service of ['order-manager', 'reconciler', 'market-data', 'strategy-runner'] as const) {
      expect(plan.serviceEnv[service]).toMatchObject(expected);
    }
    // The risk gate never calls the venue.
    expect(Object.keys(plan.serviceEnv['risk-gate'])).not.toContain('BOURSE_RATE_BUDGET');
    const { config: own } = loadText(
      `${MINIMAL}venue: { target: testnet, rateBudget: { shared: false, ip: nat-1, account: desk } }\n`,
    );
    expect(launchPlan(own, '/st').serviceEnv['order-manager']).toMatchObject({
      BOURSE_RATE_BUDGET: 'memory',
      BOURSE_RATE_BUDGET_PREFIX: 'bourse:ratelimit:binance:testnet:',
      BOURSE_VENUE_IP: 'nat-1',
      BOURSE_VENUE_ACCOUNT: 'desk',
    });
  });

  it("hands the reconciler the drift halt's kill-switch action from the risk limits", () => {
    expect(Object.keys(plan.serviceEnv.reconciler)).not.toContain('RECON_DRIFT_ACTION'); // its default: halt-and-cancel
    const { config: own } = loadText(
      `v: 1\nrisk: { limits: { v: 1, global: { killSwitch: { reconciliationDriftAction: halt } }, defaults: { maxOrderNotional: '1', priceBandBps: '1', maxQuoteAgeMs: 1, maxOpenOrders: 1, orderRate: { maxOrders: 1, windowMs: 1 }, rejectionCooldown: { afterRejections: 1, cooldownMs: 1 } } } }\n`,
    );
    expect(launchPlan(own, '/st').serviceEnv.reconciler.RECON_DRIFT_ACTION).toBe('halt');
  });

  it('uses given files as they are and writes none of them', () => {
    const { config: given } = loadText(`v: 1\nrisk: { limitsFile: /l.yaml }\nstrategies: { file: /s.yaml }\n`);
    const p = launchPlan(given, '/st');
    expect(p.files.map((f) => f.path)).toEqual(['/st/reconciler.json']);
    expect(p.serviceEnv['risk-gate'].RISK_LIMITS_FILE).toBe('/l.yaml');
    expect(p.serviceEnv['strategy-runner'].STRATEGIES_FILE).toBe('/s.yaml');
  });

  it('keeps an inventory that is given, and none is assumed off the sim', () => {
    const { config: given } = loadText(`${MINIMAL}reconciler: { settings: { inventory: { BTC: '2' } } }\n`);
    expect(reconcilerSettings(given)['inventory']).toEqual({ BTC: '2' });
    const { config: testnet } = loadText(MINIMAL, { BOURSE_VENUE_TARGET: 'testnet' });
    expect(reconcilerSettings(testnet)['inventory']).toBeUndefined();
  });
});
