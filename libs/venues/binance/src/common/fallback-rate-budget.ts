import type { VenueClock } from '@bourse/venues';
import type { VenueLogger } from './logger.js';
import {
  InMemoryRateBudget,
  type BlockKind,
  type BucketCost,
  type BucketSpec,
  type RateBudgetBackend,
  type TakeResult,
} from './rate-budget.js';

// The shared budget in Redis, and what a process does while Redis does not answer: it does not
// spend blindly, nor stop trading, but spends from an in-process budget of a conservative share of
// each limit (DEFAULT_FALLBACK_SHARE), so that the processes on one IP and account, each on its own
// share, stay under the venue's limit together. Observations and blocks go to both, so the fallback
// starts from what the venue last said.

/** A tenth of each limit: up to ten processes on one IP and account stay under it together. */
export const DEFAULT_FALLBACK_SHARE = 0.1;

export interface FallbackRateBudgetOptions {
  shared: RateBudgetBackend;
  clock: VenueClock;
  /** Part of each limit spent while the shared budget is out of reach; default DEFAULT_FALLBACK_SHARE. */
  share?: number;
  edgeMs?: number;
  logger: VenueLogger;
  /** Told each time a take fell back to the local share (a metric). */
  onFallback: () => void;
}

export class FallbackRateBudget implements RateBudgetBackend {
  readonly #shared: RateBudgetBackend;
  readonly #local: InMemoryRateBudget;
  readonly #options: FallbackRateBudgetOptions;
  #fallingBack = false;

  constructor(options: FallbackRateBudgetOptions) {
    this.#options = options;
    this.#shared = options.shared;
    const share = options.share ?? DEFAULT_FALLBACK_SHARE;
    this.#local = new InMemoryRateBudget(options.clock, {
      share,
      ...(options.edgeMs !== undefined ? { edgeMs: options.edgeMs } : {}),
    });
  }

  /** True while the last call to the shared budget failed. */
  get fallingBack(): boolean {
    return this.#fallingBack;
  }

  async take(costs: readonly BucketCost[]): Promise<TakeResult> {
    try {
      const result = await this.#shared.take(costs);
      this.#recovered();
      return result;
    } catch (err) {
      this.#failed(err);
      this.#options.onFallback();
      return this.#local.take(costs);
    }
  }

  async observeUsed(bucket: BucketSpec, used: number): Promise<void> {
    await this.#local.observeUsed(bucket, used);
    try {
      await this.#shared.observeUsed(bucket, used);
      this.#recovered();
    } catch (err) {
      this.#failed(err);
    }
  }

  async block(kind: BlockKind, ms: number): Promise<void> {
    await this.#local.block(kind, ms);
    try {
      await this.#shared.block(kind, ms);
      this.#recovered();
    } catch (err) {
      this.#failed(err);
    }
  }

  async close(): Promise<void> {
    await this.#shared.close();
  }

  #failed(err: unknown): void {
    if (this.#fallingBack) return;
    this.#fallingBack = true;
    this.#options.logger.warn(
      { err, share: this.#options.share ?? DEFAULT_FALLBACK_SHARE },
      'shared rate budget unreachable: spending a fixed share of each venue limit until it answers',
    );
  }

  #recovered(): void {
    if (!this.#fallingBack) return;
    this.#fallingBack = false;
    this.#options.logger.info({}, 'shared rate budget answers again');
  }
}
