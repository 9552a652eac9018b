// The risk gate's process configuration: the only module that reads process.env. Parsed once at
// start with a strict schema; every error names the variable that is wrong (never its value when
// the variable can hold credentials, as the URLs can).

import { fileURLToPath } from 'node:url';
import { VenueId } from '@bourse/contracts';
import {
  databaseUrl,
  logLevel,
  namespaceToken,
  natsUrl,
  opsHost,
  parseEnv,
  redisUrl,
  ServiceConfigError,
  wholeNumber,
  type LogLevel,
} from '@bourse/service';
import { z } from 'zod';

export { DEFAULT_NATS_URL, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from '@bourse/service';
export const DEFAULT_VENUE = 'binance';
export const DEFAULT_OPS_PORT = 9102;
export const DEFAULT_LIMITS_POLL_MS = 1_000;
/** How far back the RISK and ORDERS streams are read at start, so a redelivered intent gets its first decision. */
export const DEFAULT_DECISION_RECALL_MS = 86_400_000;
/** An accepted order with no execution event after this long, unknown to the OMS, stops counting. */
export const DEFAULT_IN_FLIGHT_EXPIRY_MS = 300_000;
/** The annotated example, so `pnpm start` on a laptop runs; production mounts its own file. */
export const DEFAULT_LIMITS_FILE = fileURLToPath(new URL('../config/limits.example.yaml', import.meta.url));

const Env = z.object({
  NATS_URL: natsUrl,
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  RISK_LIMITS_FILE: z.string().trim().min(1, { message: 'must be a file path' }).default(DEFAULT_LIMITS_FILE),
  RISK_LIMITS_POLL_MS: wholeNumber(50, 60_000).default(DEFAULT_LIMITS_POLL_MS),
  RISK_GATE_VENUE: VenueId.default(DEFAULT_VENUE),
  /** Replica index (0..1295), part of every client order id this instance makes. */
  RISK_GATE_INSTANCE: wholeNumber(0, 1295).default(0),
  RISK_GATE_OPS_PORT: wholeNumber(0, 65_535).default(DEFAULT_OPS_PORT),
  /** Loopback by default; a pod sets 0.0.0.0 so Prometheus can scrape it. */
  RISK_GATE_OPS_HOST: opsHost,
  BOURSE_NAMESPACE: namespaceToken,
  LOG_LEVEL: logLevel,
  RISK_DECISION_RECALL_MS: wholeNumber(0, 7 * 86_400_000).default(DEFAULT_DECISION_RECALL_MS),
  RISK_IN_FLIGHT_EXPIRY_MS: wholeNumber(1_000, 86_400_000).default(DEFAULT_IN_FLIGHT_EXPIRY_MS),
});

export interface RiskGateConfig {
  readonly natsUrl: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly limitsFile: string;
  readonly limitsPollMs: number;
  readonly venue: string;
  readonly instance: number;
  readonly opsPort: number;
  readonly opsHost: string;
  /** Subject namespace (empty: production subjects). */
  readonly namespace: string;
  readonly logLevel: LogLevel;
  /** How far back decisions are recalled from RISK/ORDERS at start (0: none). */
  readonly decisionRecallMs: number;
  /** Age after which an in-flight order the OMS does not know stops counting. */
  readonly inFlightExpiryMs: number;
}

/** A variable is missing or malformed; `value` is the variable's name, never its content. */
export class RiskGateConfigError extends ServiceConfigError {
  override readonly name = 'RiskGateConfigError';
}

/** Reads the configuration from `env` (process.env by default); throws RiskGateConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): RiskGateConfig {
  // An empty variable means "not set": shells and manifests often write `FOO=`.
  const e = parseEnv(
    Env,
    env,
    (names, detail, cause) => new RiskGateConfigError(names, `invalid risk-gate configuration: ${detail}`, { cause }),
  );
  return {
    natsUrl: e.NATS_URL,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    limitsFile: e.RISK_LIMITS_FILE,
    limitsPollMs: e.RISK_LIMITS_POLL_MS,
    venue: e.RISK_GATE_VENUE,
    instance: e.RISK_GATE_INSTANCE,
    opsPort: e.RISK_GATE_OPS_PORT,
    opsHost: e.RISK_GATE_OPS_HOST,
    namespace: e.BOURSE_NAMESPACE ?? '',
    logLevel: e.LOG_LEVEL,
    decisionRecallMs: e.RISK_DECISION_RECALL_MS,
    inFlightExpiryMs: e.RISK_IN_FLIGHT_EXPIRY_MS,
  };
}
