// The risk gate's process configuration: the only module that reads process.env. Parsed once at
// start with a strict schema; every error names the variable that is wrong (never its value when
// the variable can hold credentials, as the URLs can).

import { fileURLToPath } from 'node:url';
import { SUBJECT_TOKEN_PATTERN, VenueId } from '@bourse/contracts';
import { z } from 'zod';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/bourse';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_VENUE = 'binance';
export const DEFAULT_OPS_PORT = 9102;
export const DEFAULT_LIMITS_POLL_MS = 1_000;
/** How far back the RISK and ORDERS streams are read at start, so a redelivered intent gets its first decision. */
export const DEFAULT_DECISION_RECALL_MS = 86_400_000;
/** An accepted order with no execution event after this long, unknown to the OMS, stops counting. */
export const DEFAULT_IN_FLIGHT_EXPIRY_MS = 300_000;
/** The annotated example, so `pnpm start` on a laptop runs; production mounts its own file. */
export const DEFAULT_LIMITS_FILE = fileURLToPath(new URL('../config/limits.example.yaml', import.meta.url));

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const url = (schemes: readonly string[]) =>
  z
    .string()
    .trim()
    .refine(
      (text) => {
        try {
          return schemes.includes(new URL(text).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}` },
    );

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const Env = z.object({
  NATS_URL: url(['nats:', 'tls:', 'ws:', 'wss:']).default(DEFAULT_NATS_URL),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default(DEFAULT_DATABASE_URL),
  REDIS_URL: url(['redis:', 'rediss:']).default(DEFAULT_REDIS_URL),
  RISK_LIMITS_FILE: z.string().trim().min(1, { message: 'must be a file path' }).default(DEFAULT_LIMITS_FILE),
  RISK_LIMITS_POLL_MS: wholeNumber(50, 60_000).default(DEFAULT_LIMITS_POLL_MS),
  RISK_GATE_VENUE: VenueId.default(DEFAULT_VENUE),
  /** Replica index (0..1295), part of every client order id this instance makes. */
  RISK_GATE_INSTANCE: wholeNumber(0, 1295).default(0),
  RISK_GATE_OPS_PORT: wholeNumber(0, 65_535).default(DEFAULT_OPS_PORT),
  /** Loopback by default; a pod sets 0.0.0.0 so Prometheus can scrape it. */
  RISK_GATE_OPS_HOST: z
    .string()
    .trim()
    .regex(/^\S+$/, { message: 'must be an address to bind, such as 127.0.0.1 or 0.0.0.0' })
    .default('127.0.0.1'),
  BOURSE_NAMESPACE: z
    .string()
    .regex(SUBJECT_TOKEN_PATTERN, { message: 'must be a subject token (letters, digits, "_", ":", "-")' })
    .optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
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
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** How far back decisions are recalled from RISK/ORDERS at start (0: none). */
  readonly decisionRecallMs: number;
  /** Age after which an in-flight order the OMS does not know stops counting. */
  readonly inFlightExpiryMs: number;
}

/** A variable is missing or malformed; `value` is the variable's name, never its content. */
export class RiskGateConfigError extends Error {
  override readonly name = 'RiskGateConfigError';
  readonly code = 'INVALID_CONFIG';
  constructor(
    readonly value: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Reads the configuration from `env` (process.env by default); throws RiskGateConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): RiskGateConfig {
  // An empty variable means "not set": shells and manifests often write `FOO=`.
  const present = Object.fromEntries(
    Object.keys(Env.shape).flatMap((k) => {
      const v = env[k];
      return v === undefined || v.trim() === '' ? [] : [[k, v]];
    }),
  );
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    const names = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? 'environment')))];
    const detail = parsed.error.issues.map((i) => `${String(i.path[0] ?? 'environment')} ${i.message}`).join('; ');
    throw new RiskGateConfigError(names.join(','), `invalid risk-gate configuration: ${detail}`, {
      cause: parsed.error,
    });
  }
  const e = parsed.data;
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
