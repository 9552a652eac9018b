import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TickEvent } from '../run/spec.js';
import { captureTicks } from './capture-ticks.js';
import { readQuoteTicks, readTradeTicks } from './ticks.js';

// What `--data` holds, and the ticks of a tick file or a capture. Bars go through readBarsCsv in the
// command; quote/trade tick files (CSV or NDJSON, libs/backtest readers) and market-data captures
// (services/market-data readCapture, the gateway's own decoder) become the engine's TickEvents.

export type DataKind = 'bars' | 'quotes' | 'trades' | 'capture';
export const DATA_KINDS: readonly DataKind[] = ['bars', 'quotes', 'trades', 'capture'];

/** Names as the readers match them: lower case, no separators. */
const norm = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
const QUOTE_NAMES = new Set(['bid', 'bidprice', 'bidpx', 'bestbid', 'bestbidprice']);
const BAR_NAMES = ['open', 'high', 'low', 'close'];
const TRADE_NAMES = new Set(['price', 'px', 'p']);

/**
 * What the file is: a directory or a `.gz` file is a capture (the recorder writes gzip NDJSON);
 * otherwise the first non-blank line's column or key names decide (bid → quotes; open, high, low,
 * close → bars; price → trades). Returns a message when none fits.
 */
export async function detectDataKind(path: string): Promise<DataKind | string> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    return `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  if (info.isDirectory() || path.endsWith('.gz')) return 'capture';
  const first = await firstLine(path);
  if (first === undefined) return `${path} is empty`;
  let names: string[];
  if (first.trimStart().startsWith('{')) {
    try {
      names = Object.keys(JSON.parse(first) as object);
    } catch {
      return `${path} line 1 is neither a CSV header nor a JSON object`;
    }
  } else {
    names = first.split(',').map((n) => n.trim().replace(/^"|"$/g, ''));
  }
  const keys = names.map(norm);
  if (keys.some((k) => QUOTE_NAMES.has(k))) return 'quotes';
  if (BAR_NAMES.every((b) => keys.includes(b))) return 'bars';
  if (keys.some((k) => TRADE_NAMES.has(k))) return 'trades';
  return `${path}: no bid/ask (quotes), open/high/low/close (bars) or price (trades) column in line 1; say which with --input`;
}

async function firstLine(path: string): Promise<string | undefined> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  try {
    for await (const text of lines) if (text.trim() !== '') return text;
    return undefined;
  } finally {
    lines.close();
  }
}

/** A tick file's quotes or trades as the engine's ticks (bad rows stop the run, with their line). */
export async function* fileTicks(kind: 'quotes' | 'trades', path: string): AsyncGenerator<TickEvent> {
  if (kind === 'quotes') {
    for await (const q of readQuoteTicks(path)) {
      yield {
        kind: 'quote',
        time: q.time,
        bidPrice: q.bidPrice,
        askPrice: q.askPrice,
        bidQty: q.bidQty,
        askQty: q.askQty,
      };
    }
    return;
  }
  for await (const t of readTradeTicks(path)) {
    // A file without the aggressor's side: BUY (only strategies reading the side care, and none can know).
    yield {
      kind: 'trade',
      time: t.time,
      price: t.price,
      qty: t.qty,
      aggressor: t.side ?? 'BUY',
      id: t.id ?? `${t.line}`,
    };
  }
}

/** The internal symbol of a capture's first quote or trade, to trade when --symbol is not given. */
export async function captureSymbol(path: string): Promise<string | undefined> {
  const { readCapture } = await import('@bourse/market-feed');
  for await (const { event } of readCapture(path)) {
    if (event.kind === 'quote' || event.kind === 'trade') return event.message.instrument;
  }
  return undefined;
}

/** A capture's quotes and trades of `symbol` as the engine's ticks (a bad line stops the run). */
export async function* captureFileTicks(path: string, symbol: string): AsyncGenerator<TickEvent> {
  const { readCapture } = await import('@bourse/market-feed');
  yield* captureTicks(readCapture(path), symbol);
}

/**
 * SHA-256 (hex) of the data, so a report names exactly what it ran on: a file's bytes; a directory
 * (a capture) the hash of its files' names and hashes, sorted by name.
 */
export async function dataSha256(path: string): Promise<string> {
  if ((await stat(path)).isDirectory()) {
    const names = (await readdir(path, { recursive: true })).map(String).sort();
    const hash = createHash('sha256');
    for (const name of names) {
      const full = join(path, name);
      if ((await stat(full)).isFile()) hash.update(`${name}\0${await dataSha256(full)}\n`);
    }
    return hash.digest('hex');
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The rows of a bar or tick file, counted ahead for a progress bar's total: lines, less a CSV
 * header. Undefined for a capture (gzip: counting would mean decompressing it twice).
 */
export async function countRows(path: string, kind: DataKind): Promise<number | undefined> {
  if (kind === 'capture') return undefined;
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) lines++;
    if (bytes.length > 0) last = bytes[bytes.length - 1]!;
  }
  if (last !== 10) lines++;
  const first = await firstLine(path);
  return first !== undefined && !first.trimStart().startsWith('{') ? Math.max(0, lines - 1) : lines;
}
