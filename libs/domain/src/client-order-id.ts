import { ClientOrderId, StrategyId } from '@bourse/contracts';
import { InvalidArgumentError, InvalidClientOrderIdError } from './errors.js';
import { err, ok, type Result } from './result.js';

// Client order ids: the key that makes a resubmission idempotent and lets the reconciler tell our
// orders (and which strategy placed them) from anything else on the account.
//
// Layout (Binance allows at most 36 characters of `.A-Z:/a-z0-9_-`):
//
//   <strategyId>:<version>:<instance 4><time 8><seq 3>
//   momentum-btc:3:0a7fm3kq1xw2005
//
// - strategyId: the StrategyId (a-z0-9_-, no ':'), version: 1-8 of A-Za-z0-9._- (no ':').
//   Together at most 19 characters, checked when an id is made: 36 - 2 separators - 15 tail.
// - instance (4 base-36 chars): who generated it. Two chars name the replica, two are a nonce
//   drawn at process start (see makeInstanceTag), so two replicas never collide, and a restart
//   whose clock stepped back does not reuse its previous ids (unless it draws the same nonce).
// - time (8 base-36 chars): milliseconds since the epoch, zero-padded; fits until the year 2059.
// - seq (3 base-36 chars): 46 656 ids per millisecond per instance; past that the generator
//   borrows the next millisecond, so ids never repeat and sort by issue order within an instance.

export const CLIENT_ORDER_ID_MAX_LENGTH = 36;
const TAIL_LENGTH = 15;
/** Longest strategy id plus version that still fits: 36 - 2 separators - 15 tail characters. */
export const STRATEGY_ID_AND_VERSION_MAX_LENGTH = CLIENT_ORDER_ID_MAX_LENGTH - 2 - TAIL_LENGTH;
const TIME_MAX = 36 ** 8 - 1;
const SEQ_LIMIT = 36 ** 3;
const VERSION = /^[A-Za-z0-9._-]{1,8}$/;
const INSTANCE_TAG = /^[0-9a-z]{4}$/;
const LAYOUT = /^([a-z0-9][a-z0-9_-]{0,31}):([A-Za-z0-9._-]{1,8}):([0-9a-z]{4})([0-9a-z]{8})([0-9a-z]{3})$/;

export interface ParsedClientOrderId {
  readonly strategyId: StrategyId;
  readonly strategyVersion: string;
  readonly instanceTag: string;
  /** The generator's logical time in ms (the wall clock, or slightly ahead of it under a burst). */
  readonly timeMs: number;
  readonly seq: number;
}

/** Builds a 4-character instance tag from a replica index (0-1295) and a start-up nonce (0-1295, drawn by the caller); throws InvalidArgumentError when either is out of range. */
export function makeInstanceTag(replicaIndex: number, bootNonce: number): string {
  for (const [field, value] of [
    ['replica index', replicaIndex],
    ['boot nonce', bootNonce],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value >= 36 * 36) {
      throw new InvalidArgumentError(field, value, 'must be an integer from 0 to 1295');
    }
  }
  return replicaIndex.toString(36).padStart(2, '0') + bootNonce.toString(36).padStart(2, '0');
}

export interface ClientOrderIdGeneratorOptions {
  /** 4 characters of 0-9a-z naming this process (makeInstanceTag). */
  readonly instanceTag: string;
  /** Milliseconds since the epoch. Injected: the core never reads the clock itself. */
  readonly clock: () => number;
  /** The logical time of the last id this instance issued before a restart (from the journal), so new ids come after it. */
  readonly resumeAfterMs?: number;
}

/** Issues unique client order ids for one process (one instance tag); see the layout above. */
export class ClientOrderIdGenerator {
  private readonly instanceTag: string;
  private readonly clock: () => number;
  private lastMs: number;
  private seq: number;

  /** Throws InvalidArgumentError on a malformed instance tag or resume time. */
  constructor(opts: ClientOrderIdGeneratorOptions) {
    if (!INSTANCE_TAG.test(opts.instanceTag)) {
      throw new InvalidArgumentError('instance tag', opts.instanceTag, 'must be 4 characters of 0-9a-z');
    }
    if (opts.resumeAfterMs !== undefined && !isTime(opts.resumeAfterMs)) {
      throw new InvalidArgumentError('resumeAfterMs', opts.resumeAfterMs, 'must be a non-negative integer of ms');
    }
    this.instanceTag = opts.instanceTag;
    this.clock = opts.clock;
    this.lastMs = opts.resumeAfterMs ?? -1;
    // As if that millisecond's sequence were used up: the next id at or before it moves on by one ms.
    this.seq = SEQ_LIMIT - 1;
  }

  /** The next id for this strategy and version; throws InvalidClientOrderIdError when they do not fit or are malformed, InvalidArgumentError on a bad clock reading. */
  next(strategyId: StrategyId | string, strategyVersion: string): ClientOrderId {
    checkStrategy(strategyId, strategyVersion);
    const now = this.clock();
    if (!isTime(now)) throw new InvalidArgumentError('clock reading', now, 'must be a non-negative integer of ms');
    if (now > this.lastMs) {
      this.lastMs = now;
      this.seq = 0;
    } else if (++this.seq >= SEQ_LIMIT) {
      // Burst past the per-ms budget, or the clock went back: borrow the next millisecond.
      this.lastMs += 1;
      this.seq = 0;
    }
    if (this.lastMs > TIME_MAX)
      throw new InvalidArgumentError('clock reading', this.lastMs, 'is past what 8 base-36 digits hold');
    const tail = this.instanceTag + this.lastMs.toString(36).padStart(8, '0') + this.seq.toString(36).padStart(3, '0');
    return `${strategyId}:${strategyVersion}:${tail}` as ClientOrderId;
  }
}

/** Reads strategy id, version, instance, time and sequence back out of an id (never throws); an id not made by ClientOrderIdGenerator is an error result. */
export function parseClientOrderId(id: string): Result<ParsedClientOrderId, InvalidClientOrderIdError> {
  if (typeof id !== 'string') return err(new InvalidClientOrderIdError(id, 'is not a string'));
  if (!ClientOrderId.safeParse(id).success) {
    return err(new InvalidClientOrderIdError(id, 'breaks the venue rule: 1-36 characters of .A-Z:/a-z0-9_-'));
  }
  const m = LAYOUT.exec(id);
  if (!m) return err(new InvalidClientOrderIdError(id, 'is not <strategyId>:<version>:<instance><time><seq>'));
  const [, strategyId = '', strategyVersion = '', instanceTag = '', time = '', seq = ''] = m;
  return ok({
    strategyId: strategyId as StrategyId,
    strategyVersion,
    instanceTag,
    timeMs: parseInt(time, 36),
    seq: parseInt(seq, 36),
  });
}

function checkStrategy(strategyId: string, version: string): void {
  if (!StrategyId.safeParse(strategyId).success) {
    throw new InvalidClientOrderIdError(strategyId, 'has a strategy id that is not 1-32 characters of a-z0-9_-');
  }
  if (typeof version !== 'string' || !VERSION.test(version)) {
    throw new InvalidClientOrderIdError(version, 'has a strategy version that is not 1-8 characters of A-Za-z0-9._-');
  }
  if (strategyId.length + version.length > STRATEGY_ID_AND_VERSION_MAX_LENGTH) {
    throw new InvalidClientOrderIdError(
      `${strategyId}:${version}`,
      `needs strategy id + version of at most ${STRATEGY_ID_AND_VERSION_MAX_LENGTH} characters to stay within 36`,
    );
  }
}

function isTime(ms: unknown): ms is number {
  return typeof ms === 'number' && Number.isSafeInteger(ms) && ms >= 0;
}
