import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { decodeMessage, isContractViolation } from './decode.js';
import { ExecutionEvent } from './events/execution-event.js';
import { Instrument } from './instrument.js';
import { Intent } from './intent.js';
import { BookDelta, BookSnapshot, Quote, Trade } from './market-data.js';
import { BookTransferCommand } from './oms-replies.js';
import { OperatorCommand } from './operator.js';
import { OrderRequest } from './order-request.js';
import { DECIMAL_PATTERN } from './primitives.js';
import { RiskDecision } from './risk-decision.js';
import {
  FUZZ_RUNS,
  applyMutation,
  assertPrototypeClean,
  sampleBookTransferCommands,
  hostileValue,
  mutationOf,
  sampleBookDelta,
  sampleBookSnapshot,
  sampleFill,
  sampleInstrument,
  sampleIntent,
  sampleMarketIntent,
  sampleOperatorCommands,
  sampleOrderRequest,
  sampleQuote,
  sampleRiskDecisions,
  sampleStatusUpdate,
  sampleTrade,
  sampleTradingState,
  sampleVenueCorrections,
} from './testing/index.js';
import { TradingState } from './trading-state.js';
import { VenueCorrections } from './venue-corrections.js';

const contracts: [string, z.ZodType, unknown[]][] = [
  ['Intent', Intent, [sampleIntent, sampleMarketIntent]],
  ['OrderRequest', OrderRequest, [sampleOrderRequest]],
  ['ExecutionEvent', ExecutionEvent, [sampleStatusUpdate, sampleFill]],
  ['Quote', Quote, [sampleQuote]],
  ['Trade', Trade, [sampleTrade]],
  ['BookSnapshot', BookSnapshot, [sampleBookSnapshot]],
  ['BookDelta', BookDelta, [sampleBookDelta]],
  ['OperatorCommand', OperatorCommand, sampleOperatorCommands],
  ['TradingState', TradingState, [sampleTradingState]],
  ['RiskDecision', RiskDecision, sampleRiskDecisions],
  ['Instrument', Instrument, [sampleInstrument]],
  ['VenueCorrections', VenueCorrections, [sampleVenueCorrections]],
  ['BookTransferCommand', BookTransferCommand, sampleBookTransferCommands],
];

// Field names whose values are exact amounts: once accepted they must be plain decimals.
const AMOUNT_FIELD =
  /^(qty|quoteQty|price|stopPrice|bidPrice|bidQty|askPrice|askQty|filledQty|avgPrice|fee|cumulativeQuoteQty|tickSize|stepSize|minQty|maxQty|minNotional|delta)$/;

function amountsArePlainDecimals(value: unknown): void {
  if (Array.isArray(value)) value.forEach(amountsArePlainDecimals);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (AMOUNT_FIELD.test(k)) expect(v, k).toMatch(DECIMAL_PATTERN);
      amountsArePlainDecimals(v);
    }
}

function isPrefix(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.every((k, i) => String(k) === String(b[i]));
}

describe.each(contracts)('%s under hostile input', (name, schema, valids) => {
  it('accepts the seeds', () => {
    for (const v of valids) expect(() => decodeMessage(name, schema, v)).not.toThrow();
  });

  it('refuses a mutated message with a ContractViolationError naming the field, or accepts a still-valid one', () => {
    const input = fc.constantFrom(...valids).chain((v) => fc.tuple(fc.constant(v), mutationOf(v)));
    fc.assert(
      fc.property(input, ([valid, mutation]) => {
        const value = applyMutation(valid, mutation);
        let decoded: unknown;
        try {
          decoded = decodeMessage(name, schema, value);
        } catch (err) {
          // Only a contract violation may come out, and it names where the message went wrong.
          expect(isContractViolation(err), String(err)).toBe(true);
          if (!isContractViolation(err)) return;
          expect(err.issues.length).toBeGreaterThan(0);
          expect(err.message.length).toBeLessThan(20_000);
          if ((mutation.kind === 'replace' || mutation.kind === 'delete') && mutation.path.length > 0) {
            const named = err.issues.some((i) => {
              const path = i.path === '' ? [] : i.path.split('.');
              // The issue sits on the changed field, inside it, on the object holding it, or on a
              // sibling that a cross-field rule checks it against ("qty or quoteQty", first ≤ last id).
              return (
                isPrefix(path, mutation.path) ||
                isPrefix(mutation.path, path) ||
                isPrefix(path.slice(0, -1), mutation.path.slice(0, -1))
              );
            });
            expect(named, `${JSON.stringify(mutation.path)} not named by ${err.message}`).toBe(true);
          }
          return;
        }
        // Accepted: what comes out is itself a valid message with exact amounts.
        amountsArePlainDecimals(decoded);
        expect(() => decodeMessage(name, schema, JSON.parse(JSON.stringify(decoded)))).not.toThrow();
        assertPrototypeClean();
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('never throws anything but a ContractViolationError on a random value', () => {
    fc.assert(
      fc.property(hostileValue, (value) => {
        try {
          decodeMessage(name, schema, value);
        } catch (err) {
          expect(isContractViolation(err), String(err)).toBe(true);
        }
        assertPrototypeClean();
      }),
      { numRuns: Math.ceil(FUZZ_RUNS / 3) },
    );
  });
});
