// Request parameters read the way Binance reads them, shared by REST (form/query text) and the
// WebSocket API (JSON params). Each reader names the parameter in its error, with Binance's code.

import { binanceErrors } from './errors.js';
import { isDecimalText, normalise } from './binance-numbers.js';

const DECIMAL_RANGE = '^([0-9]{1,20})(\\.[0-9]{1,20})?$';
const INTEGER_RANGE = '^[0-9]{1,20}$';
const SYMBOL_RANGE = '^[A-Z0-9-_.]{1,20}$';
// Binance's documented pattern for client order ids: letters, digits and `.:/_-`, 1 to 36 of them.
const CLIENT_ID_RANGE = String.raw`^[\.A-Z\:/a-z0-9_-]{1,36}$`;

export class Params {
  private readonly read = new Set<string>();

  constructor(private readonly values: ReadonlyMap<string, string>) {}

  /** From URL-encoded text: query first, then body; the query wins a clash, duplicates in one part are refused. */
  static fromForm(query: string, body: string): Params {
    const merged = new Map<string, string>();
    const add = (raw: string, overwrite: boolean): void => {
      const seen = new Set<string>();
      for (const [k, v] of new URLSearchParams(raw)) {
        if (seen.has(k)) throw binanceErrors.duplicateParam();
        seen.add(k);
        if (overwrite || !merged.has(k)) merged.set(k, v);
      }
    };
    add(query, true);
    add(body, false);
    return new Params(merged);
  }

  /** From WebSocket API JSON params. Numbers and booleans are read as their text. */
  static fromJson(params: unknown): Params {
    const map = new Map<string, string>();
    if (params === undefined || params === null) return new Params(map);
    if (typeof params !== 'object' || Array.isArray(params)) throw binanceErrors.invalidParameter('params');
    for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
      if (v === null || v === undefined) continue;
      if (typeof v === 'string') map.set(k, v);
      else if (typeof v === 'number' || typeof v === 'boolean') map.set(k, String(v));
      else map.set(k, JSON.stringify(v));
    }
    return new Params(map);
  }

  has(name: string): boolean {
    return this.values.has(name) && this.values.get(name) !== '';
  }

  /** The raw text of a parameter, without marking it read. */
  peek(name: string): string | undefined {
    return this.values.get(name);
  }

  keys(): string[] {
    return [...this.values.keys()];
  }

  optional(name: string): string | undefined {
    this.read.add(name);
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (v === '') throw binanceErrors.mandatoryMissing(name);
    return v;
  }

  required(name: string): string {
    const v = this.optional(name);
    if (v === undefined) throw binanceErrors.mandatoryMissing(name);
    return v;
  }

  symbol(name = 'symbol'): string {
    const v = this.required(name);
    if (!new RegExp(SYMBOL_RANGE).test(v)) throw binanceErrors.illegalChars(name, SYMBOL_RANGE);
    return v;
  }

  optionalSymbol(name = 'symbol'): string | undefined {
    return this.has(name) ? this.symbol(name) : (this.read.add(name), undefined);
  }

  /** A non-negative decimal, returned in plain form ("1.50" stays exact; "1." becomes "1"). */
  optionalDecimal(name: string): string | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (
      !isDecimalText(v) ||
      !new RegExp(DECIMAL_RANGE).test(v.startsWith('.') ? `0${v}` : v.endsWith('.') ? `${v}0` : v)
    ) {
      throw binanceErrors.illegalChars(name, DECIMAL_RANGE);
    }
    return normalise(v);
  }

  optionalInteger(name: string): number | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (!new RegExp(INTEGER_RANGE).test(v)) throw binanceErrors.illegalChars(name, INTEGER_RANGE);
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw binanceErrors.invalidParameter(name);
    return n;
  }

  requiredInteger(name: string): number {
    const v = this.optionalInteger(name);
    if (v === undefined) throw binanceErrors.mandatoryMissing(name);
    return v;
  }

  /** A signed integer such as `orderListId` may be -1 in some places; Binance reads it as a long. */
  optionalLong(name: string): number | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (!/^-?[0-9]{1,19}$/.test(v)) throw binanceErrors.illegalChars(name, '^-?[0-9]{1,19}$');
    return Number(v);
  }

  optionalEnum<T extends string>(name: string, allowed: readonly T[], onBad: () => Error): T | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) throw onBad();
    return v as T;
  }

  requiredEnum<T extends string>(name: string, allowed: readonly T[], onBad: () => Error): T {
    const v = this.optionalEnum(name, allowed, onBad);
    if (v === undefined) throw binanceErrors.mandatoryMissing(name);
    return v;
  }

  optionalClientOrderId(name: string): string | undefined {
    this.read.add(name);
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (v === '')
      throw name === 'newClientOrderId'
        ? binanceErrors.emptyNewClientOrderId()
        : binanceErrors.emptyOrigClientOrderId();
    if (!new RegExp(CLIENT_ID_RANGE).test(v)) throw binanceErrors.illegalChars(name, CLIENT_ID_RANGE);
    return v;
  }

  optionalBoolean(name: string): boolean | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (v !== 'true' && v !== 'false') throw binanceErrors.illegalChars(name, 'true, false');
    return v === 'true';
  }

  /** Marks authentication parameters as read so they do not count as unread. */
  touch(...names: string[]): void {
    for (const n of names) this.read.add(n);
  }

  /** Binance's -1104: every parameter sent must have been read by the endpoint. */
  assertAllRead(): void {
    const sent = [...this.values.keys()];
    const unread = sent.filter((k) => !this.read.has(k));
    if (unread.length > 0) {
      const readCount = sent.length - unread.length;
      throw binanceErrors.unreadParams(readCount, sent.length);
    }
  }
}
