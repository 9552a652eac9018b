import { InvalidIndicatorInputError, requireFinite } from './window.js';

/**
 * Volume-weighted average price anchored at a session start: Σ(price × volume) / Σ(volume) over the
 * trades of the current session. A new session begins when `sessionOf(time)` changes (by default
 * the UTC day), so the sums never grow without bound. O(1) per update.
 */
export class Vwap {
  private session: number | undefined;
  private priceVolume = 0;
  private volume = 0;

  constructor(readonly sessionOf: (timeMs: number) => number = utcDay) {}

  get isReady(): boolean {
    return this.volume > 0;
  }

  get value(): number | undefined {
    return this.volume > 0 ? this.priceVolume / this.volume : undefined;
  }

  /** Adds a trade or a bar's typical price with its volume; throws on non-finite or negative volume. */
  update(price: number, volume: number, timeMs: number): number | undefined {
    requireFinite('VWAP price', price);
    requireFinite('VWAP volume', volume);
    if (volume < 0) throw new InvalidIndicatorInputError('VWAP (negative volume)', volume);
    const session = this.sessionOf(timeMs);
    if (session !== this.session) {
      this.session = session;
      this.priceVolume = 0;
      this.volume = 0;
    }
    this.priceVolume += price * volume;
    this.volume += volume;
    return this.value;
  }

  reset(): void {
    this.session = undefined;
    this.priceVolume = 0;
    this.volume = 0;
  }
}

export function utcDay(timeMs: number): number {
  return Math.floor(timeMs / 86_400_000);
}
