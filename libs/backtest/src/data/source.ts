import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

/**
 * Where rows come from: a file path, a Node readable stream, or any async iterable of text or byte
 * chunks (a fetch body, a gunzip stream). Read line by line, so memory stays bounded by the longest line.
 */
export type DataSource = string | Readable | AsyncIterable<string | Uint8Array>;

/** A source from text held in memory; for tests and small inputs. */
export function textSource(text: string): Readable {
  return Readable.from([text]);
}

/** The name a source goes by in error messages: the path, or `input`. */
export function sourceName(source: DataSource, name?: string): string {
  if (name !== undefined) return name;
  return typeof source === 'string' ? source : 'input';
}

/** Yields the source's lines with their 1-based numbers; CRLF and LF both end a line. */
export async function* readLines(source: DataSource): AsyncGenerator<{ line: number; text: string }> {
  const input =
    typeof source === 'string'
      ? createReadStream(source)
      : source instanceof Readable
        ? source
        : Readable.from(source, { objectMode: false });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      yield { line, text: line === 1 ? stripBom(text) : text };
    }
  } finally {
    lines.close();
    // An early `break` by the caller must not leave the file open.
    input.destroy();
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Splits one CSV line into trimmed fields. Double-quoted fields may hold the delimiter and `""` for a
 * quote; a field cannot span lines (market data never needs it, and it keeps the reader line-based).
 */
export function splitCsvLine(text: string, delimiter = ','): string[] {
  if (!text.includes('"')) return text.split(delimiter).map((f) => f.trim());
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === delimiter) {
      fields.push(field.trim());
      field = '';
    } else {
      field += ch;
    }
  }
  fields.push(field.trim());
  return fields;
}
