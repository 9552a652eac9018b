// Binance's limits as it applies them: request weight per IP in fixed one-minute windows (shared by
// REST and the WebSocket API), order counts per account over 10 seconds and a day, a 429 with
// Retry-After once the weight is spent, and a 418 ban, doubling each time, for an IP that keeps going.
// Every window's count and every refusal is kept (a bounded history) so a test can show what a set
// of clients spent together, window by window.

import { binanceErrors } from './errors.js';
import type { Clock, RateLimitConfig } from './types.js';

const TEN_SECONDS_MS = 10_000;
/** Closed windows kept per IP and per account for usage(). */
const HISTORY = 512;
const DAY_MS = 86_400_000;

interface Window {
  start: number;
  count: number;
}

/** One closed or current window of one IP's weight or one account's order count. */
export interface WindowUsage {
  readonly start: number;
  readonly count: number;
}

/** What the limiter saw: every window's count and the refusals it answered. */
export interface RateLimitUsage {
  readonly weightWindowMs: number;
  readonly requestWeightLimit: number;
  readonly ordersPer10Seconds: number;
  readonly weight: Readonly<Record<string, readonly WindowUsage[]>>;
  readonly orders10s: Readonly<Record<string, readonly WindowUsage[]>>;
  /** Requests answered 429 (weight spent, or too many orders), per IP or account. */
  readonly tooManyRequests: number;
  /** Requests answered 418 (banned IP). */
  readonly banned: number;
}

interface IpState {
  weight: Window;
  weightHistory: WindowUsage[];
  /** Requests refused with 429 in the current window; past the threshold the IP is banned. */
  rejected: number;
  bannedUntil: number;
  bans: number;
}

interface AccountState {
  tenSeconds: Window;
  tenSecondsHistory: WindowUsage[];
  day: Window;
}

export interface WeightUsage {
  readonly usedWeight1m: number;
}

export interface OrderUsage {
  readonly orderCount10s: number;
  readonly orderCount1d: number;
}

function roll(w: Window, now: number, length: number, history?: WindowUsage[]): void {
  const start = now - (now % length);
  if (w.start !== start) {
    if (history !== undefined && w.count > 0) {
      history.push({ start: w.start, count: w.count });
      if (history.length > HISTORY) history.splice(0, history.length - HISTORY);
    }
    w.start = start;
    w.count = 0;
  }
}

/** `1M`, `10S`: the suffix of Binance's usage headers for a window. */
export function windowSuffix(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}M` : `${Math.round(ms / 1000)}S`;
}

export class RateLimiter {
  private readonly ips = new Map<string, IpState>();
  private readonly accounts = new Map<string, AccountState>();
  private tooManyRequests = 0;
  private bannedAnswers = 0;

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
      s = { weight: { start: 0, count: 0 }, weightHistory: [], rejected: 0, bannedUntil: 0, bans: 0 };
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
      this.bannedAnswers += 1;
      throw binanceErrors.banned(s.bannedUntil, Math.ceil((s.bannedUntil - now) / 1000));
    }
    const windowMs = this.limits.weightWindowMs;
    roll(s.weight, now, windowMs, s.weightHistory);
    if (s.weight.count === 0) s.rejected = 0;
    s.weight.count += weight;
    if (s.weight.count > this.limits.requestWeightPerMinute) {
      s.rejected += 1;
      if (s.rejected > this.limits.rejectionsBeforeBan) {
        const banMs = this.limits.banMs * 2 ** s.bans;
        s.bans += 1;
        s.bannedUntil = now + banMs;
        this.bannedAnswers += 1;
        throw binanceErrors.banned(s.bannedUntil, Math.ceil(banMs / 1000));
      }
      this.tooManyRequests += 1;
      const retryAfterS = Math.max(1, Math.ceil((s.weight.start + windowMs - now) / 1000));
      throw binanceErrors.tooMuchWeight(this.limits.requestWeightPerMinute, retryAfterS);
    }
    return { usedWeight1m: s.weight.count };
  }

  usedWeight(ip: string): number {
    const s = this.ip(ip);
    roll(s.weight, this.clock.now(), this.limits.weightWindowMs, s.weightHistory);
    return s.weight.count;
  }

  private account(account: string): AccountState {
    let s = this.accounts.get(account);
    if (!s) {
      s = { tenSeconds: { start: 0, count: 0 }, tenSecondsHistory: [], day: { start: 0, count: 0 } };
      this.accounts.set(account, s);
    }
    return s;
  }

  /** Counts `n` new orders for `account`; throws Binance's -1015 (429, no Retry-After) past a limit. */
  countOrders(account: string, n: number): OrderUsage {
    const now = this.clock.now();
    const s = this.account(account);
    roll(s.tenSeconds, now, TEN_SECONDS_MS, s.tenSecondsHistory);
    roll(s.day, now, DAY_MS);
    if (s.tenSeconds.count + n > this.limits.ordersPer10Seconds) {
      this.tooManyRequests += 1;
      throw binanceErrors.tooManyOrders(this.limits.ordersPer10Seconds, '10 SECOND');
    }
    if (s.day.count + n > this.limits.ordersPerDay) {
      this.tooManyRequests += 1;
      throw binanceErrors.tooManyOrders(this.limits.ordersPerDay, '1 DAY');
    }
    s.tenSeconds.count += n;
    s.day.count += n;
    return { orderCount10s: s.tenSeconds.count, orderCount1d: s.day.count };
  }

  orderUsage(account: string): OrderUsage {
    const now = this.clock.now();
    const s = this.account(account);
    roll(s.tenSeconds, now, TEN_SECONDS_MS, s.tenSecondsHistory);
    roll(s.day, now, DAY_MS);
    return { orderCount10s: s.tenSeconds.count, orderCount1d: s.day.count };
  }

  /** Every IP's weight and every account's 10-second order count, window by window, and the refusals. */
  usage(): RateLimitUsage {
    const now = this.clock.now();
    const weight: Record<string, WindowUsage[]> = {};
    for (const [ip, s] of this.ips) {
      roll(s.weight, now, this.limits.weightWindowMs, s.weightHistory);
      weight[ip] = [
        ...s.weightHistory,
        ...(s.weight.count > 0 ? [{ start: s.weight.start, count: s.weight.count }] : []),
      ];
    }
    const orders10s: Record<string, WindowUsage[]> = {};
    for (const [account, s] of this.accounts) {
      roll(s.tenSeconds, now, TEN_SECONDS_MS, s.tenSecondsHistory);
      orders10s[account] = [
        ...s.tenSecondsHistory,
        ...(s.tenSeconds.count > 0 ? [{ start: s.tenSeconds.start, count: s.tenSeconds.count }] : []),
      ];
    }
    return {
      weightWindowMs: this.limits.weightWindowMs,
      requestWeightLimit: this.limits.requestWeightPerMinute,
      ordersPer10Seconds: this.limits.ordersPer10Seconds,
      weight,
      orders10s,
      tooManyRequests: this.tooManyRequests,
      banned: this.bannedAnswers,
    };
  }

  /** Forget every counter and ban (admin reset; tests). */
  reset(): void {
    this.ips.clear();
    this.accounts.clear();
    this.tooManyRequests = 0;
    this.bannedAnswers = 0;
  }
}

export function weightHeaders(usage: WeightUsage, limits: RateLimitConfig): Record<string, string> {
  return { [weightHeader(limits)]: String(usage.usedWeight1m) };
}

/** `X-MBX-USED-WEIGHT-1M` on Binance; names the configured window otherwise. */
export function weightHeader(limits: RateLimitConfig): string {
  return `X-MBX-USED-WEIGHT-${windowSuffix(limits.weightWindowMs)}`;
}

export function orderHeaders(usage: OrderUsage): Record<string, string> {
  return { 'X-MBX-ORDER-COUNT-10S': String(usage.orderCount10s), 'X-MBX-ORDER-COUNT-1D': String(usage.orderCount1d) };
}

/** The `rateLimits` array of a WebSocket API response. */
export function wsRateLimits(limits: RateLimitConfig, weight: number, orders?: OrderUsage): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [{ ...weightRule(limits), count: weight }];
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

/** The REQUEST_WEIGHT rule as exchangeInfo and the WS API publish it. */
export function weightRule(limits: RateLimitConfig): Record<string, unknown> {
  const ms = limits.weightWindowMs;
  return ms % 60_000 === 0
    ? {
        rateLimitType: 'REQUEST_WEIGHT',
        interval: 'MINUTE',
        intervalNum: ms / 60_000,
        limit: limits.requestWeightPerMinute,
      }
    : {
        rateLimitType: 'REQUEST_WEIGHT',
        interval: 'SECOND',
        intervalNum: Math.round(ms / 1000),
        limit: limits.requestWeightPerMinute,
      };
}
