import { BadRowError, InvalidBacktestArgumentError, type BadRow } from '../errors.js';
import { RowFault } from './fields.js';
import { readLines, sourceName, type DataSource } from './source.js';

/** What to do with a row that fails to parse or validate. */
export type OnBadRow = 'stop' | 'skip';

export interface ReadOptions {
  /** `stop` (default) throws BadRowError at the first bad row; `skip` counts it, lists it and goes on. */
  readonly onBadRow?: OnBadRow;
  /** Name used in errors; defaults to the path, or `input` for a stream. */
  readonly name?: string;
  /** How many skipped rows are kept in `badRows` (the count stays exact); default 1000, bounding memory. */
  readonly maxListedBadRows?: number;
}

/** What a finished (or stopped) read saw. */
export interface ReadSummary {
  readonly source: string;
  /** Good rows handed out. */
  rowsRead: number;
  /** Every bad row skipped, listed or not. */
  badRowCount: number;
  /** The first `maxListedBadRows` bad rows skipped, in file order. */
  readonly badRows: BadRow[];
}

/** Everything a read produced, for inputs small enough to hold. */
export interface ReadResult<T> extends ReadSummary {
  readonly rows: T[];
}

/** Turns one line into a row; throws RowFault for a bad one. `undefined` means the line carries no row. */
export interface LineParser<T> {
  parse(text: string, line: number): T | undefined;
  /** Called once after the last line; throws when the input as a whole was unusable (no header). */
  finish?(): void;
}

export const DEFAULT_MAX_LISTED_BAD_ROWS = 1000;

/**
 * A one-pass stream of typed rows read line by line. Iterate it with `for await`; `summary` is live and
 * complete once the loop ends. With onBadRow `stop` the loop throws BadRowError at the first bad row.
 */
export class RowStream<T> implements AsyncIterable<T> {
  readonly summary: ReadSummary;
  private readonly onBadRow: OnBadRow;
  private readonly maxListed: number;
  private started = false;

  constructor(
    private readonly source: DataSource,
    private readonly makeParser: (sourceName: string) => LineParser<T>,
    options: ReadOptions = {},
  ) {
    const onBadRow = options.onBadRow ?? 'stop';
    if (onBadRow !== 'stop' && onBadRow !== 'skip') {
      throw new InvalidBacktestArgumentError('onBadRow', onBadRow, "must be 'stop' or 'skip'");
    }
    const maxListed = options.maxListedBadRows ?? DEFAULT_MAX_LISTED_BAD_ROWS;
    if (!Number.isInteger(maxListed) || maxListed < 0) {
      throw new InvalidBacktestArgumentError('maxListedBadRows', maxListed, 'must be a whole number of zero or more');
    }
    this.onBadRow = onBadRow;
    this.maxListed = maxListed;
    this.summary = { source: sourceName(source, options.name), rowsRead: 0, badRowCount: 0, badRows: [] };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    if (this.started) {
      throw new InvalidBacktestArgumentError('RowStream', this.summary.source, 'can be iterated only once');
    }
    this.started = true;
    const parser = this.makeParser(this.summary.source);
    for await (const { line, text } of readLines(this.source)) {
      let row: T | undefined;
      try {
        row = parser.parse(text, line);
      } catch (err) {
        if (!(err instanceof RowFault)) throw err;
        const bad = err.toBadRow(line, text);
        if (this.onBadRow === 'stop') throw new BadRowError(this.summary.source, bad);
        this.summary.badRowCount += 1;
        if (this.summary.badRows.length < this.maxListed) this.summary.badRows.push(bad);
        continue;
      }
      if (row === undefined) continue;
      this.summary.rowsRead += 1;
      yield row;
    }
    parser.finish?.();
  }

  /** Reads everything into memory; for files you know are small enough. */
  async toArray(): Promise<ReadResult<T>> {
    const rows: T[] = [];
    for await (const row of this) rows.push(row);
    return { ...this.summary, badRows: [...this.summary.badRows], rows };
  }
}
