// Binance's limits as it applies them: request weight per IP in fixed one-minute windows (shared by
// REST and the WebSocket API), order counts per account over 10 seconds and a day, a 429 with
// Retry-After once the weight is spent, and a 418 ban, doubling each time, for an IP that keeps going.

import { binanceErrors } from './errors.js';
import type { Clock, RateLimitConfig } from './types.js';

const MINUTE_MS = 60_000;
const TEN_SECONDS_MS = 10_000;
const DAY_MS = 86_400_000;

interface Window {
  start: number;
  count: number;
}

interface IpState {
  weight: Window;
  /** Requests refused with 429 in the current window; past the threshold the IP is banned. */
  rejected: number;
  bannedUntil: number;
  bans: number;
}

interface AccountState {
  tenSeconds: Window;
  day: Window;
}

export interface WeightUsage {
  readonly usedWeight1m: number;
}

export interface OrderUsage {
  readonly orderCount10s: number;
  readonly orderCount1d: number;
}

function roll(w: Window, now: number, length: number): void {
  const start = now - (now % length);
  if (w.start !== start) {
    w.start = start;
    w.count = 0;
  }
}

export class RateLimiter {
  private readonly ips = new Map<string, IpState>();
  private readonly accounts = new Map<string, AccountState>();

  constructor(
    private limits: RateLimitConfig,
    private readonly clock: Clock,
  ) {}

  get config(): RateLimitConfig {
    return this.limits;
  }

  setLimits(limits: RateLimitConfig): void {
    this.limits = limits;
  }

  private ip(ip: string): IpState {
    let s = this.ips.get(ip);
    if (!s) {
      s = { weight: { start: 0, count: 0 }, rejected: 0, bannedUntil: 0, bans: 0 };
      this.ips.set(ip, s);
    }
    return s;
  }

  /**
   * Spends `weight` for a request from `ip`. Throws Binance's 429 / 418 refusal when the minute's
   * weight is gone or the IP is banned. The spent weight counts even when refused, as on Binance.
   */
  spendWeight(ip: string, weight: number): WeightUsage {
    const now = this.clock.now();
    const s = this.ip(ip);
    if (s.bannedUntil > now) {
      throw binanceErrors.banned(s.bannedUntil, Math.ceil((s.bannedUntil - now) / 1000));
    }
    roll(s.weight, now, MINUTE_MS);
    if (s.weight.count === 0) s.rejected = 0;
    s.weight.count += weight;
    if (s.weight.count > this.limits.requestWeightPerMinute) {
      s.rejected += 1;
      if (s.rejected > this.limits.rejectionsBeforeBan) {
        const banMs = this.limits.banMs * 2 ** s.bans;
        s.bans += 1;
        s.bannedUntil = now + banMs;
        throw binanceErrors.banned(s.bannedUntil, Math.ceil(banMs / 1000));
      }
      const retryAfterS = Math.max(1, Math.ceil((s.weight.start + MINUTE_MS - now) / 1000));
      throw binanceErrors.tooMuchWeight(this.limits.requestWeightPerMinute, retryAfterS);
    }
    return { usedWeight1m: s.weight.count };
  }

  usedWeight(ip: string): number {
    const s = this.ip(ip);
    roll(s.weight, this.clock.now(), MINUTE_MS);
    return s.weight.count;
  }

  private account(account: string): AccountState {
    let s = this.accounts.get(account);
    if (!s) {
      s = { tenSeconds: { start: 0, count: 0 }, day: { start: 0, count: 0 } };
      this.accounts.set(account, s);
    }
    return s;
  }

  /** Counts `n` new orders for `account`; throws Binance's -1015 (429, no Retry-After) past a limit. */
  countOrders(account: string, n: number): OrderUsage {
    const now = this.clock.now();
    const s = this.account(account);
    roll(s.tenSeconds, now, TEN_SECONDS_MS);
    roll(s.day, now, DAY_MS);
    if (s.tenSeconds.count + n > this.limits.ordersPer10Seconds) {
      throw binanceErrors.tooManyOrders(this.limits.ordersPer10Seconds, '10 SECOND');
    }
    if (s.day.count + n > this.limits.ordersPerDay) {
      throw binanceErrors.tooManyOrders(this.limits.ordersPerDay, '1 DAY');
    }
    s.tenSeconds.count += n;
    s.day.count += n;
    return { orderCount10s: s.tenSeconds.count, orderCount1d: s.day.count };
  }

  orderUsage(account: string): OrderUsage {
    const now = this.clock.now();
    const s = this.account(account);
    roll(s.tenSeconds, now, TEN_SECONDS_MS);
    roll(s.day, now, DAY_MS);
    return { orderCount10s: s.tenSeconds.count, orderCount1d: s.day.count };
  }

  /** Forget every counter and ban (admin reset; tests). */
  reset(): void {
    this.ips.clear();
    this.accounts.clear();
  }
}

export function weightHeaders(usage: WeightUsage): Record<string, string> {
  return { 'X-MBX-USED-WEIGHT-1M': String(usage.usedWeight1m) };
}

export function orderHeaders(usage: OrderUsage): Record<string, string> {
  return { 'X-MBX-ORDER-COUNT-10S': String(usage.orderCount10s), 'X-MBX-ORDER-COUNT-1D': String(usage.orderCount1d) };
}

/** The `rateLimits` array of a WebSocket API response. */
export function wsRateLimits(limits: RateLimitConfig, weight: number, orders?: OrderUsage): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [
    {
      rateLimitType: 'REQUEST_WEIGHT',
      interval: 'MINUTE',
      intervalNum: 1,
      limit: limits.requestWeightPerMinute,
      count: weight,
    },
  ];
  if (orders) {
    out.push(
      {
        rateLimitType: 'ORDERS',
        interval: 'SECOND',
        intervalNum: 10,
        limit: limits.ordersPer10Seconds,
        count: orders.orderCount10s,
      },
      {
        rateLimitType: 'ORDERS',
        interval: 'DAY',
        intervalNum: 1,
        limit: limits.ordersPerDay,
        count: orders.orderCount1d,
      },
    );
  }
  return out;
}
