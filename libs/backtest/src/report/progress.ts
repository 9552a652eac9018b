import cliProgress from 'cli-progress';

/** Where the bar is drawn: a terminal stream such as process.stderr. */
export interface ProgressOutput {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): boolean;
}

export interface ProgressBarOptions {
  /** Default process.stderr. Nothing is written unless `isTTY` is true, so pipes, logs and CI stay clean. */
  readonly output?: ProgressOutput;
  readonly label?: string;
  /** False draws nothing whatever the output (`--json`). Default true. */
  readonly enabled?: boolean;
  /** Wall clock for the rate, in ms (default Date.now): progress is terminal output, not a core. */
  readonly now?: () => number;
}

/**
 * A one-line progress bar for terminals, drawn by `cli-progress`:
 * `backtest [=====-----] 50% | 500/1000 | 1200/s | ETA: 1s` (rate and time left from the units done so
 * far). It draws only on a terminal (`output.isTTY`), at most ten times a second, and never when
 * disabled or when the total is unknown (0).
 */
export class ProgressBar {
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly now: () => number;
  private startedAt: number | undefined;
  private finished = false;

  constructor(
    readonly total: number,
    options: ProgressBarOptions = {},
  ) {
    const output = options.output ?? process.stderr;
    this.now = options.now ?? Date.now;
    const label = options.label ?? '';
    if (options.enabled === false || output.isTTY !== true || !(total > 0)) return;
    this.bar = new cliProgress.SingleBar(
      {
        stream: output as NodeJS.WritableStream,
        format: `${label === '' ? '' : `${label} `}[{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA: {eta_formatted}`,
        barsize: Math.max(10, Math.min(40, (output.columns ?? 80) - label.length - 50)),
        hideCursor: false,
        gracefulExit: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.legacy,
    );
  }

  /** Whether anything is drawn at all. */
  get drawing(): boolean {
    return this.bar !== undefined;
  }

  /** Reports `done` of `total` units finished. */
  update(done: number): void {
    const bar = this.bar;
    if (bar === undefined || this.finished) return;
    const value = Math.min(Math.max(done, 0), this.total);
    if (this.startedAt === undefined) {
      this.startedAt = this.now();
      bar.start(this.total, value, { rate: '0' });
      return;
    }
    const seconds = (this.now() - this.startedAt) / 1000;
    bar.update(value, { rate: seconds > 0 ? String(Math.round(value / seconds)) : '0' });
  }

  /** Draws 100 % and ends the line. */
  finish(): void {
    if (this.bar === undefined || this.finished) return;
    this.update(this.total);
    this.stop();
  }

  /** Ends the line where the work stopped (a failed run); cli-progress's redraw timer ends with it. */
  stop(): void {
    if (this.bar === undefined || this.finished) return;
    this.finished = true;
    this.bar.stop();
  }
}
