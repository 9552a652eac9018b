import type { Redis } from 'ioredis';
import type { BlockKind, BucketCost, BucketSpec, RateBudgetBackend, TakeResult } from './rate-budget.js';

// Token buckets in Redis, so several processes (order-manager replicas) share one account's
// budget. Each operation is one Lua script: atomic across every bucket it touches. Time comes from
// Redis (TIME), the one clock every replica agrees on.

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

const REFILL = `
local function refill(key, cap, interval, now)
  local h = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(h[1])
  local at = tonumber(h[2])
  if tokens == nil or at == nil then return cap end
  local elapsed = now - at
  if elapsed < 0 then elapsed = 0 end
  return math.min(cap, tokens + elapsed * cap / interval)
end
`;

/** KEYS[1] = block key, KEYS[2..] = buckets; ARGV = n, then capacity, intervalMs, cost per bucket. */
const TAKE = `${NOW}${REFILL}
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
  return {0, ttl, redis.call('GET', KEYS[1]) or 'rate-limited'}
end
local n = tonumber(ARGV[1])
local wait = 0
local after = {}
for i = 1, n do
  local cap = tonumber(ARGV[2 + (i - 1) * 3])
  local interval = tonumber(ARGV[3 + (i - 1) * 3])
  local cost = math.min(tonumber(ARGV[4 + (i - 1) * 3]), cap)
  local tokens = refill(KEYS[i + 1], cap, interval, now)
  if tokens < cost then
    local w = math.ceil((cost - tokens) * interval / cap)
    if w > wait then wait = w end
  end
  after[i] = tokens - cost
end
if wait > 0 then return {0, wait, 'budget'} end
for i = 1, n do
  local interval = tonumber(ARGV[3 + (i - 1) * 3])
  redis.call('HSET', KEYS[i + 1], 'tokens', tostring(after[i]), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[i + 1], interval * 2)
end
return {1, 0, 'ok'}
`;

/** KEYS[1] = bucket; ARGV = capacity, intervalMs, used. */
const OBSERVE = `${NOW}${REFILL}
local cap = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local used = tonumber(ARGV[3])
local tokens = refill(KEYS[1], cap, interval, now)
local left = cap - used
if left < 0 then left = 0 end
if left < tokens then tokens = left end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], interval * 2)
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
  bourseRateTake(...args: (string | number)[]): Promise<[number, number, string]>;
  bourseRateObserve(...args: (string | number)[]): Promise<number>;
  bourseRateBlock(...args: (string | number)[]): Promise<number>;
};

export interface RedisRateBudgetOptions {
  /** A connected ioredis client; the caller owns it (close() does not quit it). */
  redis: Redis;
  /** Key prefix naming the shared budget, e.g. `bourse:ratelimit:binance:main:`. */
  prefix: string;
}

export class RedisRateBudget implements RateBudgetBackend {
  readonly #redis: ScriptRedis;
  readonly #prefix: string;

  constructor(options: RedisRateBudgetOptions) {
    const redis = options.redis as ScriptRedis;
    // defineCommand uses EVALSHA and falls back to EVAL once, so the script is loaded lazily.
    if (typeof redis.bourseRateTake !== 'function') {
      redis.defineCommand('bourseRateTake', { lua: TAKE });
      redis.defineCommand('bourseRateObserve', { numberOfKeys: 1, lua: OBSERVE });
      redis.defineCommand('bourseRateBlock', { numberOfKeys: 1, lua: BLOCK });
    }
    this.#redis = redis;
    this.#prefix = options.prefix;
  }

  async take(costs: readonly BucketCost[]): Promise<TakeResult> {
    const keys = [`${this.#prefix}block`, ...costs.map((c) => `${this.#prefix}bucket:${c.bucket.key}`)];
    const args: (string | number)[] = [costs.length];
    for (const { bucket, cost } of costs) args.push(bucket.capacity, bucket.intervalMs, cost);
    const [ok, waitMs, reason] = await this.#redis.bourseRateTake(keys.length, ...keys, ...args);
    if (ok === 1) return { ok: true };
    if (reason === 'banned' || reason === 'rate-limited') return { ok: false, waitMs, reason };
    return { ok: false, waitMs, reason: 'budget' };
  }

  async observeUsed(bucket: BucketSpec, used: number): Promise<void> {
    await this.#redis.bourseRateObserve(
      `${this.#prefix}bucket:${bucket.key}`,
      bucket.capacity,
      bucket.intervalMs,
      used,
    );
  }

  async block(kind: BlockKind, ms: number): Promise<void> {
    await this.#redis.bourseRateBlock(`${this.#prefix}block`, kind, Math.max(1, Math.ceil(ms)));
  }

  async close(): Promise<void> {}
}
