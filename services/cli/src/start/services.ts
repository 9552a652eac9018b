// The platform services `bourse start` runs, in start order (stopped in reverse). Order follows
// DESIGN.md "start in order": the venue first, then the OMS and reconciler that own and check
// state, then the risk gate and market data, and strategies last, once everything they need runs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface PlatformService {
  readonly name: string;
  /** Entry file relative to the repository root. */
  readonly entry: string;
  readonly description: string;
  /** A line the service prints once it serves; the next service starts only after it. */
  readonly ready?: RegExp;
}

export const PLATFORM_SERVICES: readonly PlatformService[] = [
  {
    name: 'exchange-sim',
    entry: 'services/exchange-sim/src/main.ts',
    description: 'Binance-Spot-compatible venue',
    ready: /^exchange-sim: ready$/,
  },
  { name: 'order-manager', entry: 'services/order-manager/src/main.ts', description: 'orders, fills, positions' },
  { name: 'reconciler', entry: 'services/reconciler/src/main.ts', description: 'venue vs. memory reconciliation' },
  { name: 'risk-gate', entry: 'services/risk-gate/src/main.ts', description: 'pre-trade checks, kill switch' },
  { name: 'market-data', entry: 'services/market-data/src/main.ts', description: 'market-data gateway' },
  { name: 'strategy-runner', entry: 'services/strategy-runner/src/main.ts', description: 'strategies' },
];

export const EXCHANGE_SIM: PlatformService = PLATFORM_SERVICES[0] as PlatformService;

export interface ResolvedServices {
  /** Services whose entry file exists, with its absolute path, in start order. */
  readonly built: ReadonlyArray<PlatformService & { readonly path: string }>;
  readonly notBuilt: readonly PlatformService[];
}

/** Splits the list into what can run and what is not built yet, by whether each entry file exists. */
export function resolveServices(
  root: string,
  services: readonly PlatformService[] = PLATFORM_SERVICES,
  exists: (path: string) => boolean = existsSync,
): ResolvedServices {
  const built: Array<PlatformService & { path: string }> = [];
  const notBuilt: PlatformService[] = [];
  for (const service of services) {
    const path = join(root, service.entry);
    if (exists(path)) built.push({ ...service, path });
    else notBuilt.push(service);
  }
  return { built, notBuilt };
}
