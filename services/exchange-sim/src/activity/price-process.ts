// Where the simulated market wants to trade next: a geometric random walk with drift and
// volatility, or a replay of recorded prices. The output is snapped to the symbol's tick as an exact
// decimal string; floats live only inside the model, never in an order.

import { readFileSync } from 'node:fs';
import { dec } from '@bourse/domain';
import type { Random } from '../random.js';

export interface PriceProcess {
  /** The next mid for `symbol`, given the current one. */
  next(symbol: string, current: number): number;
}

export function randomWalk(random: Random, volatility: number, drift: number): PriceProcess {
  return {
    next: (_symbol, current) => current * Math.exp(drift + volatility * random.gaussian()),
  };
}

export class ReplayFileError extends Error {
  override readonly name = 'ReplayFileError';
  readonly code = 'REPLAY_FILE_INVALID';
  constructor(
    readonly value: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Replays a file of prices, looping at the end. Lines are `price`, `symbol,price`,
 * `timestamp,symbol,price` or JSON `{"symbol":"BTCUSDT","price":"60000.5"}`; a line without a
 * symbol applies to every symbol. Blank lines and lines starting with `#` are skipped.
 */
export function replayProcess(file: string): PriceProcess {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReplayFileError(file, `cannot read replay file ${file}: ${String(err)}`, { cause: err });
  }
  const perSymbol = new Map<string, number[]>();
  const shared: number[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    let symbol: string | undefined;
    let priceText: string | undefined;
    if (line.startsWith('{')) {
      try {
        const obj = JSON.parse(line) as { symbol?: unknown; price?: unknown };
        symbol = typeof obj.symbol === 'string' ? obj.symbol : undefined;
        priceText = typeof obj.price === 'string' || typeof obj.price === 'number' ? String(obj.price) : undefined;
      } catch (err) {
        throw new ReplayFileError(file, `${file}:${index + 1}: not JSON`, { cause: err });
      }
    } else {
      const parts = line.split(',').map((p) => p.trim());
      priceText = parts[parts.length - 1];
      symbol = parts.length >= 2 ? parts[parts.length - 2] : undefined;
    }
    const price = Number(priceText);
    if (priceText === undefined || !Number.isFinite(price) || price <= 0) {
      throw new ReplayFileError(file, `${file}:${index + 1}: "${line}" has no positive price`);
    }
    if (symbol && /^[A-Z0-9]{2,20}$/.test(symbol)) {
      const list = perSymbol.get(symbol) ?? [];
      list.push(price);
      perSymbol.set(symbol, list);
    } else {
      shared.push(price);
    }
  });
  if (shared.length === 0 && perSymbol.size === 0) throw new ReplayFileError(file, `replay file ${file} has no prices`);
  const cursors = new Map<string, number>();
  return {
    next(symbol, current) {
      const list = perSymbol.get(symbol) ?? shared;
      if (list.length === 0) return current;
      const i = cursors.get(symbol) ?? 0;
      cursors.set(symbol, (i + 1) % list.length);
      return list[i] ?? current;
    },
  };
}

/** The float mid snapped to a whole number of ticks, as an exact decimal string (at least one tick). */
export function snapToTick(mid: number, tickSize: string): string {
  const ticks = Math.max(1, Math.round(mid / Number(tickSize)));
  return dec(tickSize)
    .times(dec(BigInt(ticks)))
    .toString();
}

/** `price` moved by `n` ticks (n may be negative); undefined if that would reach zero or below. */
export function offsetTicks(price: string, tickSize: string, n: number): string | undefined {
  const moved = dec(price).plus(dec(tickSize).times(dec(BigInt(n))));
  return moved.isPositive() ? moved.toString() : undefined;
}
