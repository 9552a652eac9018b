import type { Redis } from 'ioredis';
import {
  DEFAULT_EDGE_MS,
  type BlockKind,
  type BucketCost,
  type BucketSpec,
  type RateBudgetBackend,
  type TakeResult,
} from './rate-budget.js';

// Fixed-window counters in Redis, so every process that calls the venue from one IP and one account
// (order-manager replicas, the gateway, the reconciler, the strategy runner) spends one budget, as
// the venue counts it: request weight per IP, orders per account. Each operation is one Lua script,
// atomic across every window it touches. Time comes from Redis (TIME), the one clock every process
// agrees on. The scripts name window keys they derive from the bucket keys, so they suit a single
// Redis (or a cluster with every key of one budget in one hash slot, `{…}` in the prefix).

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** KEYS[1] = block key, KEYS[2..] = buckets; ARGV = n, edgeMs, then capacity, intervalMs, cost per bucket. */
const TAKE = `${NOW}
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
  return {0, ttl, redis.call('GET', KEYS[1]) or 'rate-limited'}
end
local n = tonumber(ARGV[1])
local edge = tonumber(ARGV[2])
local wait = 0
local add = {}
for i = 1, n do
  local cap = tonumber(ARGV[3 + (i - 1) * 3])
  local interval = tonumber(ARGV[4 + (i - 1) * 3])
  local cost = math.min(tonumber(ARGV[5 + (i - 1) * 3]), cap)
  local w = math.floor((now - edge) / interval) * interval
  while w <= now + edge do
    local key = KEYS[i + 1] .. ':' .. string.format('%d', w)
    local used = tonumber(redis.call('GET', key) or '0')
    if used + cost > cap then
      local wt = w + interval + edge - now
      if wt > wait then wait = wt end
    end
    add[#add + 1] = {key, cost, interval}
    w = w + interval
  end
end
if wait > 0 then return {0, wait, 'budget'} end
for _, a in ipairs(add) do
  redis.call('INCRBY', a[1], a[2])
  redis.call('PEXPIRE', a[1], a[3] * 2 + edge)
end
return {1, 0, 'ok'}
`;

/** KEYS[1] = bucket; ARGV = intervalMs, used. The venue's count of its current window, if higher. */
const OBSERVE = `${NOW}
local interval = tonumber(ARGV[1])
local used = tonumber(ARGV[2])
local key = KEYS[1] .. ':' .. string.format('%d', now - (now % interval))
local have = tonumber(redis.call('GET', key) or '0')
if used > have then
  redis.call('SET', key, used, 'PX', interval * 2)
end
return 1
`;

/** KEYS[1] = block key; ARGV = kind, ms. Keeps a longer block that is already there. */
const BLOCK = `
local ttl = redis.call('PTTL', KEYS[1])
local ms = tonumber(ARGV[2])
if ttl < ms then redis.call('SET', KEYS[1], ARGV[1], 'PX', ms) end
return 1
`;

type ScriptRedis = Redis & {
  bourseRateWindowTake(...args: (string | number)[]): Promise<[number, number, string]>;
  bourseRateWindowObserve(...args: (string | number)[]): Promise<number>;
  bourseRateBlock(...args: (string | number)[]): Promise<number>;
};

export interface RedisRateBudgetOptions {
  /** A connected ioredis client; the caller owns it (close() does not quit it). */
  redis: Redis;
  /** Key prefix of the platform's budgets, e.g. `bourse:ratelimit:binance:`. */
  prefix: string;
  /** Names the IP the requests leave from: every process sending from it shares its weight. */
  ip: string;
  /** Names the venue account (API key's owner): every process trading it shares its order count. */
  account: string;
  /** How near a window boundary a request counts on both sides; default DEFAULT_EDGE_MS. */
  edgeMs?: number;
}

export class RedisRateBudget implements RateBudgetBackend {
  readonly #redis: ScriptRedis;
  readonly #ipPrefix: string;
  readonly #accountPrefix: string;
  readonly #edgeMs: number;

  constructor(options: RedisRateBudgetOptions) {
    const redis = options.redis as ScriptRedis;
    // defineCommand uses EVALSHA and falls back to EVAL once, so the script is loaded lazily.
    if (typeof redis.bourseRateWindowTake !== 'function') {
      redis.defineCommand('bourseRateWindowTake', { lua: TAKE });
      redis.defineCommand('bourseRateWindowObserve', { numberOfKeys: 1, lua: OBSERVE });
      redis.defineCommand('bourseRateBlock', { numberOfKeys: 1, lua: BLOCK });
    }
    this.#redis = redis;
    this.#ipPrefix = `${options.prefix}ip:${options.ip}:`;
    this.#accountPrefix = `${options.prefix}account:${options.account}:`;
    this.#edgeMs = options.edgeMs ?? DEFAULT_EDGE_MS;
  }

  /** A 429 or a ban is the IP's: Binance refuses every request from it. */
  get #blockKey(): string {
    return `${this.#ipPrefix}block`;
  }

  #bucketKey(bucket: BucketSpec): string {
    return `${bucket.scope === 'ip' ? this.#ipPrefix : this.#accountPrefix}${bucket.key}`;
  }

  async take(costs: readonly BucketCost[]): Promise<TakeResult> {
    const keys = [this.#blockKey, ...costs.map((c) => this.#bucketKey(c.bucket))];
    const args: (string | number)[] = [costs.length, this.#edgeMs];
    for (const { bucket, cost } of costs) args.push(bucket.capacity, bucket.intervalMs, cost);
    const [ok, waitMs, reason] = await this.#redis.bourseRateWindowTake(keys.length, ...keys, ...args);
    if (ok === 1) return { ok: true };
    if (reason === 'banned' || reason === 'rate-limited') return { ok: false, waitMs, reason };
    return { ok: false, waitMs, reason: 'budget' };
  }

  async observeUsed(bucket: BucketSpec, used: number): Promise<void> {
    await this.#redis.bourseRateWindowObserve(this.#bucketKey(bucket), bucket.intervalMs, used);
  }

  async block(kind: BlockKind, ms: number): Promise<void> {
    await this.#redis.bourseRateBlock(this.#blockKey, kind, Math.max(1, Math.ceil(ms)));
  }

  async close(): Promise<void> {}
}
