import { DeadLetter } from '@bourse/contracts';
import type { ContractIssue } from '@bourse/contracts';
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { encodeJson, payloadText } from './codec.js';
import { describeError } from './errors.js';
import type { BusMetrics } from './metrics.js';
import { headerLists } from './trace.js';
import type { Clock, Contract } from './types.js';

/** The `reason` of every dead letter the bus writes; also the `reason` label of the counter. */
export const DEAD_LETTER_REASONS = ['malformed_json', 'contract_violation', 'handler_failed'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

const CODES: Record<DeadLetterReason, string> = {
  malformed_json: 'MALFORMED_JSON',
  contract_violation: 'CONTRACT_VIOLATION',
  handler_failed: 'HANDLER_FAILED',
};

/**
 * Headers on the dead-letter message itself (the letter's `headers` field keeps the original
 * message's headers untouched): where the message sat and how often it was tried.
 */
export const DeadLetterHeaders = {
  Contract: 'Bourse-Contract',
  Stream: 'Bourse-Stream',
  StreamSequence: 'Bourse-Stream-Seq',
  DeliveryCount: 'Bourse-Delivery-Count',
} as const;

// Bourse messages carry no credentials in headers, but a dead letter is read by people and kept
// for weeks: anything that looks like one is dropped rather than trusted to be absent.
const SECRET_HEADER = /auth|secret|token|passw|api-?key|signature|cookie/i;

function originalHeaders(h: MsgHdrs | undefined): Record<string, string[]> {
  return Object.fromEntries(Object.entries(headerLists(h)).filter(([k]) => !SECRET_HEADER.test(k)));
}

export const DeadLetterContract: Contract<typeof DeadLetter> = { name: 'DeadLetter', schema: DeadLetter };

export interface DeadLetterInput {
  readonly reason: DeadLetterReason;
  /** Contract issues, or one root issue with the handler's error. */
  readonly issues: readonly ContractIssue[];
  readonly contract: string;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: MsgHdrs | undefined;
  readonly stream?: string;
  readonly streamSequence?: number;
  readonly deliveryCount?: number;
}

export interface DeadLetterDeps {
  readonly js: JetStreamClient;
  readonly logger: Logger;
  readonly metrics: BusMetrics;
  readonly clock: Clock;
  readonly dlqSubject: (service: string) => string;
}

/**
 * Publishes a dead letter to JetStream (the DLQ stream captures `dlq.>`) and counts it.
 * Returns false when the dead letter could not be stored; the caller then keeps the original
 * message for redelivery instead of dropping it.
 */
export async function sendDeadLetter(deps: DeadLetterDeps, service: string, input: DeadLetterInput): Promise<boolean> {
  const letter: DeadLetter = {
    v: 1,
    service,
    subject: input.subject,
    reason: input.reason,
    code: CODES[input.reason],
    issues: input.issues.map((i) => ({ path: i.path, message: i.message })),
    ...payloadText(input.data),
    headers: originalHeaders(input.headers),
    receivedAt: deps.clock.now(),
  };
  const h = natsHeaders();
  h.set(DeadLetterHeaders.Contract, input.contract);
  if (input.stream !== undefined) h.set(DeadLetterHeaders.Stream, input.stream);
  if (input.streamSequence !== undefined) h.set(DeadLetterHeaders.StreamSequence, String(input.streamSequence));
  if (input.deliveryCount !== undefined) h.set(DeadLetterHeaders.DeliveryCount, String(input.deliveryCount));

  const subject = deps.dlqSubject(service);
  const detail = input.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
  const log = { subject: input.subject, dlq: subject, reason: input.reason, contract: input.contract, detail };
  try {
    // A stream message is dead-lettered once even if we crash between this publish and the term.
    const msgID =
      input.stream !== undefined && input.streamSequence !== undefined
        ? `dlq:${input.stream}:${input.streamSequence}`
        : undefined;
    await deps.js.publish(subject, encodeJson(letter), { headers: h, ...(msgID !== undefined ? { msgID } : {}) });
  } catch (err) {
    deps.logger.error({ ...log, err: describeError(err) }, 'dead letter could not be stored');
    return false;
  }
  deps.metrics.deadLetters.inc({ service, reason: input.reason });
  deps.logger.warn(log, 'message dead-lettered');
  return true;
}
