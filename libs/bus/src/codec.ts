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

/** The payload as text for a dead letter: UTF-8 when it is, base64 otherwise. */
export function payloadText(data: Uint8Array): { payload: string; payloadEncoding: 'utf8' | 'base64' } {
  try {
    return { payload: decoder.decode(data), payloadEncoding: 'utf8' };
  } catch {
    // Not text: keep the exact bytes, readable by whoever inspects the dead letter.
    return { payload: Buffer.from(data).toString('base64'), payloadEncoding: 'base64' };
  }
}
