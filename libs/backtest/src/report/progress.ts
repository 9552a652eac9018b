/** Where the bar is drawn: a terminal stream such as process.stdout. */
export interface ProgressOutput {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): boolean;
}

export interface ProgressBarOptions {
  /** Default process.stdout. Nothing is written unless `isTTY` is true, so logs and CI stay clean. */
  readonly output?: ProgressOutput;
  readonly label?: string;
  /** Bar width in characters; default fits the terminal, at most 40. */
  readonly width?: number;
}

/**
 * A one-line progress bar for terminals: `label [#####-----]  50% 500/1000`. Redraws only when the whole
 * percentage changes, so a million-bar backtest writes about a hundred times.
 */
export class ProgressBar {
  private readonly output: ProgressOutput;
  private readonly enabled: boolean;
  private readonly label: string;
  private readonly width: number;
  private lastPercent = -1;
  private finished = false;

  constructor(
    readonly total: number,
    options: ProgressBarOptions = {},
  ) {
    this.output = options.output ?? process.stdout;
    this.enabled = this.output.isTTY === true && total > 0;
    this.label = options.label ?? '';
    this.width = options.width ?? Math.max(10, Math.min(40, (this.output.columns ?? 80) - this.label.length - 30));
  }

  /** Reports `done` of `total` units finished. */
  update(done: number): void {
    if (!this.enabled || this.finished) return;
    const clamped = Math.min(Math.max(done, 0), this.total);
    const percent = Math.floor((clamped / this.total) * 100);
    if (percent === this.lastPercent) return;
    this.lastPercent = percent;
    const filled = Math.round((percent / 100) * this.width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}`;
    const prefix = this.label === '' ? '' : `${this.label} `;
    this.output.write(`\r${prefix}[${bar}] ${String(percent).padStart(3)}% ${clamped}/${this.total}`);
  }

  /** Draws 100 % and ends the line. */
  finish(): void {
    if (!this.enabled || this.finished) return;
    this.update(this.total);
    this.finished = true;
    this.output.write('\n');
  }
}
