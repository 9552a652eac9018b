import { ContractViolationError, decodeMessage, isContractViolation } from '@bourse/contracts';
import type { ContractIssue } from '@bourse/contracts';
import type { z } from 'zod';
import type { Contract } from './types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export type DecodeFailureReason = 'malformed_json' | 'contract_violation';

export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly reason: DecodeFailureReason;
      readonly issues: ContractIssue[];
      readonly detail: string;
    };

/** Validates an outgoing message (throws ContractViolationError) and serialises it as JSON. */
export function encodeMessage<S extends z.ZodType>(contract: Contract<S>, message: z.input<S>): Uint8Array {
  // Validate first: a message that breaks its contract must not reach the wire, where every
  // receiver would dead-letter it. The input is sent as given so transforms stay receiver-side.
  decodeMessage(contract.name, contract.schema, message);
  return encoder.encode(JSON.stringify(message));
}

/** Parses and validates a received payload; never throws. */
export function decodePayload<S extends z.ZodType>(contract: Contract<S>, data: Uint8Array): Decoded<z.output<S>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch (err) {
    const what = err instanceof SyntaxError ? 'is not valid JSON' : 'is not valid UTF-8';
    const detail = `${contract.name} payload ${what}`;
    return { ok: false, reason: 'malformed_json', issues: [{ path: '', message: `payload ${what}` }], detail };
  }
  try {
    return { ok: true, value: decodeMessage(contract.name, contract.schema, parsed) };
  } catch (err) {
    if (isContractViolation(err))
      return { ok: false, reason: 'contract_violation', issues: err.issues, detail: err.message };
    throw err;
  }
}

/** Parses and validates a payload the caller asked for (not a delivery); throws ContractViolationError. */
export function decodePayloadOrThrow<S extends z.ZodType>(contract: Contract<S>, data: Uint8Array): z.output<S> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch (err) {
    throw new ContractViolationError(contract.name, [
      { path: '', message: err instanceof SyntaxError ? 'payload is not valid JSON' : 'payload is not valid UTF-8' },
    ]);
  }
  return decodeMessage(contract.name, contract.schema, parsed);
}

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/**
 * Original bytes a dead letter keeps. Escaping in JSON can grow text six-fold (`\u0000`), and the
 * letter must fit the server's max_payload (1 MiB by default) or it is never stored; the full
 * message stays in its stream (terminated, not deleted) for whoever needs every byte.
 */
export const DEAD_LETTER_PAYLOAD_MAX_BYTES = 128 * 1024;

/** The payload as text for a dead letter: UTF-8 when it is, base64 otherwise; cut to `maxBytes`. */
export function payloadText(
  data: Uint8Array,
  maxBytes = DEAD_LETTER_PAYLOAD_MAX_BYTES,
): { payload: string; payloadEncoding: 'utf8' | 'base64'; payloadTruncated?: true; payloadBytes?: number } {
  let kept = data;
  if (data.byteLength > maxBytes) {
    let end = maxBytes;
    // Cut on a character boundary so text stays text: back off over UTF-8 continuation bytes.
    while (end > maxBytes - 4 && ((data[end] ?? 0) & 0xc0) === 0x80) end--;
    kept = data.subarray(0, end);
  }
  const cut = kept === data ? {} : { payloadTruncated: true as const, payloadBytes: data.byteLength };
  try {
    return { payload: decoder.decode(kept), payloadEncoding: 'utf8', ...cut };
  } catch {
    // Not text: keep the exact bytes, readable by whoever inspects the dead letter.
    return { payload: Buffer.from(kept).toString('base64'), payloadEncoding: 'base64', ...cut };
  }
}
