import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { ContractViolationError, contractIssues, decodeMessage, isContractViolation } from './decode.js';

const Sample = z.object({
  v: z.literal(1),
  price: z.string().regex(/^[0-9]+$/),
  levels: z.array(z.tuple([z.string(), z.string()])),
});

describe('decodeMessage', () => {
  it('returns the typed value when it matches', () => {
    const value = { v: 1, price: '10', levels: [['1', '2']] };
    expect(decodeMessage('Sample', Sample, value)).toEqual(value);
  });

  it('strips unknown fields rather than passing them on', () => {
    const decoded = decodeMessage('Sample', Sample, { v: 1, price: '10', levels: [], extra: 'x' });
    expect(decoded).not.toHaveProperty('extra');
  });

  it('throws ContractViolationError naming every bad path', () => {
    let caught: unknown;
    try {
      decodeMessage('Sample', Sample, { v: 2, price: 10, levels: [['1', 2]] });
    } catch (err) {
      caught = err;
    }
    expect(isContractViolation(caught)).toBe(true);
    const error = caught as ContractViolationError;
    expect(error.name).toBe('ContractViolationError');
    expect(error.code).toBe('CONTRACT_VIOLATION');
    expect(error.contract).toBe('Sample');
    expect(error.issues.map((i) => i.path).sort()).toEqual(['levels.0.1', 'price', 'v']);
    expect(error.message).toMatch(/^Sample is invalid: /);
    expect(error.message).toContain('levels.0.1:');
  });

  it('reports a non-object message at the root', () => {
    let caught: unknown;
    try {
      decodeMessage('Sample', Sample, 'not json');
    } catch (err) {
      caught = err;
    }
    const error = caught as ContractViolationError;
    expect(error.issues).toEqual([{ path: '', message: expect.any(String) }]);
    expect(error.message).toContain('(root)');
  });

  it('does not copy the offending value into the error message', () => {
    const secret = 'sk_live_abcdef123456';
    let caught: unknown;
    try {
      decodeMessage('Sample', Sample, { v: 1, price: secret, levels: [] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ContractViolationError);
    expect((caught as ContractViolationError).message).not.toContain(secret);
  });

  it('isContractViolation is false for other errors', () => {
    expect(isContractViolation(new Error('x'))).toBe(false);
    expect(isContractViolation(undefined)).toBe(false);
  });
});

describe('contractIssues', () => {
  it('joins zod paths with dots', () => {
    const result = Sample.safeParse({ v: 1, price: '1', levels: [['a']] });
    expect(result.success).toBe(false);
    if (!result.success) expect(contractIssues(result.error).map((i) => i.path)).toEqual(['levels.0']);
  });
});
