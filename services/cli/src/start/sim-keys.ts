// Each process `bourse start` launches against the simulator gets the least key it needs, as a
// careful user would set up keys at Binance: a key that can trade only where orders are placed or
// canceled, a read-only key where the venue is only read, and no key where the venue is never
// called. A leaked read-only key then cannot trade, and a strategy runner or the risk gate holds
// nothing to send an order around the gate with.
import { credentialEnvNames } from '@bourse/venue-binance';
import type { SimCredentials } from './sim-credentials.js';

/** The Binance adapter's variable names for its `sim` target's key. */
const ADAPTER = credentialEnvNames('sim');
const ADAPTER_KEY = ADAPTER.apiKey;
const ADAPTER_SECRET = ADAPTER.apiSecret;
const ADAPTER_READ_ONLY = ADAPTER.readOnly;

/** Every variable that can carry a sim key into a child; the ones a service must not get are removed. */
export const SIM_KEY_VARIABLES: readonly string[] = [
  'BOURSE_SIM_API_KEY',
  'BOURSE_SIM_API_SECRET',
  'BOURSE_SIM_READONLY_API_KEY',
  'BOURSE_SIM_READONLY_API_SECRET',
  ADAPTER_KEY,
  ADAPTER_SECRET,
  ADAPTER_READ_ONLY,
];

export type SimKeyGrant = 'both pairs (the venue)' | 'trading' | 'read-only' | 'none';

/** The reconciler's unknown-order policies that cancel at the venue, so need a key that trades. */
const CANCELING_POLICIES: ReadonlySet<string | undefined> = new Set(['cancel-ours', 'cancel-all']);

/**
 * Which key `service` gets. The reconciler reads the venue, and sends its drift cancel through the
 * order manager, so it needs the trading key only when its `unknownOrders` policy cancels at the
 * venue itself.
 */
export function simKeyGrant(
  service: string,
  reconcilerSettings: { readonly unknownOrders?: string | undefined },
): SimKeyGrant {
  switch (service) {
    case 'exchange-sim':
      return 'both pairs (the venue)';
    case 'order-manager':
      return 'trading';
    case 'reconciler':
      return CANCELING_POLICIES.has(reconcilerSettings.unknownOrders) ? 'trading' : 'read-only';
    case 'market-data':
      return 'read-only';
    default:
      return 'none';
  }
}

/**
 * The key variables for one service: the values it gets, and `undefined` for every other key
 * variable so that a pair exported in the launcher's own shell does not reach it either (a child's
 * environment drops undefined entries).
 */
export function simKeyEnv(
  grant: SimKeyGrant,
  keys: { readonly trading: SimCredentials; readonly readOnly: SimCredentials },
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = Object.fromEntries(
    SIM_KEY_VARIABLES.map((name) => [name, undefined]),
  );
  switch (grant) {
    case 'both pairs (the venue)':
      env['BOURSE_SIM_API_KEY'] = keys.trading.apiKey;
      env['BOURSE_SIM_API_SECRET'] = keys.trading.apiSecret;
      env['BOURSE_SIM_READONLY_API_KEY'] = keys.readOnly.apiKey;
      env['BOURSE_SIM_READONLY_API_SECRET'] = keys.readOnly.apiSecret;
      break;
    case 'trading':
      env[ADAPTER_KEY] = keys.trading.apiKey;
      env[ADAPTER_SECRET] = keys.trading.apiSecret;
      break;
    case 'read-only':
      env[ADAPTER_KEY] = keys.readOnly.apiKey;
      env[ADAPTER_SECRET] = keys.readOnly.apiSecret;
      // The adapter then refuses an order call itself, before the venue's -2015.
      env[ADAPTER_READ_ONLY] = 'true';
      break;
    case 'none':
      break;
  }
  return env;
}
