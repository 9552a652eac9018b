// Turns a child's output stream into whole lines with its name in front, so the output of
// several processes interleaves line by line and stays readable.

/** Longer lines are cut and emitted in pieces: a child that never prints a newline must not grow memory. */
export const MAX_LINE_LENGTH = 16 * 1024;

export class LinePrefixer {
  private pending = '';

  constructor(
    private readonly prefix: string,
    private readonly emit: (line: string) => void,
    private readonly maxLineLength: number = MAX_LINE_LENGTH,
  ) {}

  /** Feeds decoded text; emits every line completed by it. */
  push(text: string): void {
    this.pending += text;
    const parts = this.pending.split('\n');
    this.pending = parts.pop() ?? '';
    for (const part of parts) this.emit(`${this.prefix}${part.endsWith('\r') ? part.slice(0, -1) : part}`);
    while (this.pending.length > this.maxLineLength) {
      this.emit(`${this.prefix}${this.pending.slice(0, this.maxLineLength)}`);
      this.pending = this.pending.slice(this.maxLineLength);
    }
  }

  /** Emits a last line that had no newline (the stream ended). */
  flush(): void {
    if (this.pending === '') return;
    const rest = this.pending.endsWith('\r') ? this.pending.slice(0, -1) : this.pending;
    this.pending = '';
    this.emit(`${this.prefix}${rest}`);
  }
}
