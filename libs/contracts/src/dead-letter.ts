import { z } from 'zod';
import { EpochMs } from './primitives.js';
import { SUBJECT_TOKEN_PATTERN } from './subjects.js';

/** Mirrors ContractIssue from decode.ts: a dotted path and what is wrong there. */
export const DeadLetterIssue = z.object({ path: z.string(), message: z.string() });
export type DeadLetterIssue = z.infer<typeof DeadLetterIssue>;

/**
 * A message a service could not accept, published to `dlq.<service>` (Subjects.dlq) with the reason,
 * instead of crashing the service or dropping it silently. The original bytes are kept so the message
 * can be inspected and replayed: as UTF-8 text when they decode cleanly, otherwise as base64
 * (the first 128 KiB of a larger message, marked `payloadTruncated`).
 * Headers must be the message's own, with anything secret removed before publishing.
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const DeadLetter = z
  .object({
    v: z.literal(1),
    service: z
      .string()
      .regex(SUBJECT_TOKEN_PATTERN, { message: 'must be a subject token (no ".", "*", ">" or space)' }),
    /** The subject the message arrived on. */
    subject: z.string().min(1),
    reason: z.string().min(1),
    /** Error code of the failure, e.g. CONTRACT_VIOLATION. */
    code: z.string().min(1).optional(),
    issues: z.array(DeadLetterIssue),
    payloadEncoding: z.enum(['utf8', 'base64']),
    payload: z.string(),
    /** Set when only the first bytes of a large message are kept; the message itself stays in its stream. */
    payloadTruncated: z.literal(true).optional(),
    /** The original message's size in bytes, given when the payload was truncated. */
    payloadBytes: z.number().int().nonnegative().optional(),
    headers: z.record(z.string(), z.array(z.string())),
    receivedAt: EpochMs,
  })
  .superRefine((letter, ctx) => {
    if (letter.payloadEncoding === 'base64' && !BASE64.test(letter.payload)) {
      ctx.addIssue({
        code: 'custom',
        path: ['payload'],
        message: 'must be valid base64 when payloadEncoding is base64',
      });
    }
  });
export type DeadLetter = z.infer<typeof DeadLetter>;
