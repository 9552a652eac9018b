/**
 * A fixed-capacity ring of the last `capacity` values. Indicators keep exactly their lookback
 * here and nothing more, so memory stays bounded however long a strategy runs.
 */
export class RollingWindow {
  private readonly values: Float64Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new InvalidIndicatorPeriodError('capacity', capacity);
    this.values = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count === this.capacity;
  }

  /** Appends a value; returns the value that fell out of the window, or undefined while filling. */
  push(value: number): number | undefined {
    if (this.count < this.capacity) {
      this.values[(this.start + this.count) % this.capacity] = value;
      this.count++;
      return undefined;
    }
    const evicted = this.values[this.start]!;
    this.values[this.start] = value;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /** The i-th value, oldest first. */
  at(i: number): number {
    if (i < 0 || i >= this.count) throw new RangeError(`index ${i} outside a window of ${this.count}`);
    return this.values[(this.start + i) % this.capacity]!;
  }

  /** Sum of the held values, computed afresh: used to shed the rounding error a running sum gathers. */
  exactSum(): number {
    let sum = 0;
    for (let i = 0; i < this.count; i++) sum += this.values[(this.start + i) % this.capacity]!;
    return sum;
  }

  /** Sum of squares of the held values, computed afresh. */
  exactSumOfSquares(): number {
    let sum = 0;
    for (let i = 0; i < this.count; i++) {
      const v = this.values[(this.start + i) % this.capacity]!;
      sum += v * v;
    }
    return sum;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
  }
}

export class InvalidIndicatorPeriodError extends Error {
  override readonly name = 'InvalidIndicatorPeriodError';
  readonly code = 'INVALID_INDICATOR_PERIOD';
  constructor(
    readonly parameter: string,
    readonly value: number,
  ) {
    super(`${parameter} must be a positive integer, got ${value}`);
  }
}

export class InvalidIndicatorInputError extends Error {
  override readonly name = 'InvalidIndicatorInputError';
  readonly code = 'INVALID_INDICATOR_INPUT';
  constructor(
    readonly indicator: string,
    readonly value: number,
  ) {
    super(`${indicator} was given ${value}; indicators take finite numbers only`);
  }
}

/** Throws InvalidIndicatorInputError for NaN and infinities, which would poison every later value. */
export function requireFinite(indicator: string, value: number): void {
  if (!Number.isFinite(value)) throw new InvalidIndicatorInputError(indicator, value);
}

export function requirePeriod(parameter: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new InvalidIndicatorPeriodError(parameter, value);
}
