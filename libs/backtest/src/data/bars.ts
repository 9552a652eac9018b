import type { DecimalString } from '@bourse/contracts';
import { BadHeaderError } from '../errors.js';
import { normalizeName, parsePriceField, parseQtyField, RowFault } from './fields.js';
import { RowStream, type LineParser, type ReadOptions } from './row-reader.js';
import { splitCsvLine, type DataSource } from './source.js';
import { parseTimestamp } from './time.js';

/**
 * One OHLCV bar. Prices and volume are kept twice: as exact canonical decimal strings (what order
 * prices, fills and reports use) and as floats (`*Num`, for indicators, statistics and charts, where
 * speed matters and a rounding in the 16th digit does not). Never put a `*Num` into an order field.
 */
export interface Bar {
  /** Bar time in epoch milliseconds UTC, as written in the file (a date alone is 00:00 UTC). */
  readonly time: number;
  /** Line of the file the bar came from, to point at it in messages. */
  readonly line: number;
  readonly open: DecimalString;
  readonly high: DecimalString;
  readonly low: DecimalString;
  readonly close: DecimalString;
  readonly volume: DecimalString;
  /** Present only when the reader was asked to keep the adjusted close. */
  readonly adjClose?: DecimalString;
  readonly openNum: number;
  readonly highNum: number;
  readonly lowNum: number;
  readonly closeNum: number;
  readonly volumeNum: number;
}

export interface BarReadOptions extends ReadOptions {
  /** `ignore` (default) drops an adjusted-close column; `keep` puts it on each bar as `adjClose`. */
  readonly adjClose?: 'ignore' | 'keep';
  /** Field separator; default `,`. */
  readonly delimiter?: string;
}

/** Names a time column may have (compared after normalizeName); an unnamed first column is one too. */
const TIME_NAMES = new Set(['date', 'time', 'timestamp', 'datetime', 'ts', 'opentime']);
const PRICE_COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;
type BarColumn = 'time' | (typeof PRICE_COLUMNS)[number] | 'adjclose';

/**
 * Reads OHLCV bars from CSV with a header line: a time column (named date, time, timestamp, datetime,
 * ts or open_time, or the unnamed first column pandas writes), then open, high, low, close and volume
 * in any letter case and order; other columns are ignored. Bars must be in strictly increasing time.
 */
export function readBarsCsv(source: DataSource, options: BarReadOptions = {}): RowStream<Bar> {
  return new RowStream(source, (name) => new BarCsvParser(name, options), options);
}

class BarCsvParser implements LineParser<Bar> {
  private columns: Map<BarColumn, number> | undefined;
  private width = 0;
  private lastTime: number | undefined;
  private lastTimeLine = 0;
  private readonly keepAdj: boolean;
  private readonly delimiter: string;

  constructor(
    private readonly source: string,
    options: BarReadOptions,
  ) {
    this.keepAdj = options.adjClose === 'keep';
    this.delimiter = options.delimiter ?? ',';
  }

  parse(text: string, line: number): Bar | undefined {
    if (text.trim() === '') return undefined;
    if (this.columns === undefined) {
      this.columns = this.readHeader(text);
      return undefined;
    }
    const fields = splitCsvLine(text, this.delimiter);
    if (fields.length < this.width) {
      throw new RowFault('row', `has ${fields.length} fields, the header has ${this.width}`);
    }
    const at = (column: BarColumn): string | undefined => {
      const index = this.columns!.get(column);
      return index === undefined ? undefined : fields[index];
    };
    const time = parseTimestamp('time', at('time'));
    const open = parsePriceField('open', at('open'));
    const high = parsePriceField('high', at('high'));
    const low = parsePriceField('low', at('low'));
    const close = parsePriceField('close', at('close'));
    const volume = parseQtyField('volume', at('volume'));
    const adj = this.keepAdj && this.columns.has('adjclose') ? parsePriceField('adj close', at('adjclose')) : undefined;
    if (high.value.lt(low.value)) throw new RowFault('high', `${high.text} is below low ${low.text}`);
    if (open.value.lt(low.value) || open.value.gt(high.value)) {
      throw new RowFault('open', `${open.text} is outside [low ${low.text}, high ${high.text}]`);
    }
    if (close.value.lt(low.value) || close.value.gt(high.value)) {
      throw new RowFault('close', `${close.text} is outside [low ${low.text}, high ${high.text}]`);
    }
    if (this.lastTime !== undefined && time <= this.lastTime) {
      throw new RowFault(
        'time',
        `${new Date(time).toISOString()} is not after the previous bar's ${new Date(this.lastTime).toISOString()} (line ${this.lastTimeLine})`,
      );
    }
    this.lastTime = time;
    this.lastTimeLine = line;
    const bar: Bar = {
      time,
      line,
      open: open.text,
      high: high.text,
      low: low.text,
      close: close.text,
      volume: volume.text,
      openNum: open.num,
      highNum: high.num,
      lowNum: low.num,
      closeNum: close.num,
      volumeNum: volume.num,
    };
    return adj === undefined ? bar : { ...bar, adjClose: adj.text };
  }

  finish(): void {
    if (this.columns === undefined) throw new BadHeaderError(this.source, '', 'is missing: the input is empty');
  }

  private readHeader(text: string): Map<BarColumn, number> {
    const names = splitCsvLine(text, this.delimiter).map(normalizeName);
    const columns = new Map<BarColumn, number>();
    const claim = (column: BarColumn, index: number): void => {
      if (columns.has(column)) throw new BadHeaderError(this.source, text, `names the ${column} column twice`);
      columns.set(column, index);
    };
    names.forEach((name, index) => {
      if (TIME_NAMES.has(name) || (name === '' && index === 0)) claim('time', index);
      else if ((PRICE_COLUMNS as readonly string[]).includes(name)) claim(name as BarColumn, index);
      else if (name === 'adjclose') claim('adjclose', index);
    });
    const missing = (['time', ...PRICE_COLUMNS] as const).filter((c) => !columns.has(c));
    if (missing.length > 0) {
      throw new BadHeaderError(
        this.source,
        text,
        `lacks ${missing.join(', ')}: expected a time column (date, timestamp, … or unnamed first) and open, high, low, close, volume`,
      );
    }
    this.width = names.length;
    return columns;
  }
}
