// One zod schema per kind of environment variable the services read. Each takes the variable's
// text and says what is wrong in words that follow the variable's name ("NATS_URL must be a URL
// starting with nats:// or ..."); none echoes the value, which may hold a password.

import { SUBJECT_TOKEN_PATTERN } from '@bourse/contracts';
import { z } from 'zod';
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_NATS_URL,
  DEFAULT_OPS_HOST,
  DEFAULT_REDIS_URL,
  NATS_URL_SCHEMES,
  POSTGRES_URL_SCHEMES,
  REDIS_URL_SCHEMES,
} from './defaults.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LOG_LEVEL: one of pino's levels, `info` when unset. */
export const logLevel = z.enum(LOG_LEVELS).default('info');

/** A URL whose scheme is one of `schemes` (e.g. `['http:', 'https:']`). */
export const urlVariable = (schemes: readonly string[]) =>
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

/** NATS_URL, DATABASE_URL, REDIS_URL with the local servers as defaults. */
export const natsUrl = urlVariable(NATS_URL_SCHEMES).default(DEFAULT_NATS_URL);
export const databaseUrl = urlVariable(POSTGRES_URL_SCHEMES).default(DEFAULT_DATABASE_URL);
export const redisUrl = urlVariable(REDIS_URL_SCHEMES).default(DEFAULT_REDIS_URL);

/** A whole number from `min` to `max`: counts, ports, and durations in milliseconds (`*_MS`). */
export const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** A port to listen on; 0 picks a free one. */
export const port = () => wholeNumber(0, 65_535);

/** A non-negative decimal kept as text (exact arithmetic happens in @bourse/domain). */
export const decimalText = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, { message: 'must be a decimal such as 25 or 2.5' });

/** A yes/no switch: `true`/`1` or `false`/`0`. */
export const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** An address for the ops server to bind (loopback by default). */
export const opsHost = z
  .string()
  .trim()
  .regex(/^\S+$/, { message: 'must be an address to bind, such as 127.0.0.1 or 0.0.0.0' })
  .default(DEFAULT_OPS_HOST);

/** BOURSE_NAMESPACE: one subject token; unset means production subjects. */
export const namespaceToken = z
  .string()
  .regex(SUBJECT_TOKEN_PATTERN, { message: 'must be a subject token (letters, digits, "_", ":", "-")' })
  .optional();
