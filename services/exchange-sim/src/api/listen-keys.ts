// Listen keys of the legacy user data stream (POST/PUT/DELETE /api/v3/userDataStream). A key lives
// 60 minutes after its last keepalive, and an account has one key at a time, as on Binance.

import { createHash } from 'node:crypto';
import type { Clock } from '../types.js';

const LIFETIME_MS = 60 * 60_000;

interface ListenKeyRecord {
  readonly account: string;
  expiresAt: number;
}

export class ListenKeys {
  private readonly byKey = new Map<string, ListenKeyRecord>();
  private counter = 0;

  constructor(
    private readonly clock: Clock,
    private readonly seed: number,
  ) {}

  /** The account's live key, or a new one. */
  create(account: string): string {
    const now = this.clock.now();
    for (const [key, r] of this.byKey) {
      if (r.account === account && r.expiresAt > now) {
        r.expiresAt = now + LIFETIME_MS;
        return key;
      }
    }
    this.counter += 1;
    // 60 characters like Binance's keys; derived, not random, so runs are reproducible by seed.
    const key = createHash('sha256')
      .update(`${this.seed}:${account}:${this.counter}:${now}`)
      .digest('base64url')
      .replace(/[^A-Za-z0-9]/g, 'x')
      .padEnd(60, 'k')
      .slice(0, 60);
    this.byKey.set(key, { account, expiresAt: now + LIFETIME_MS });
    return key;
  }

  /** Extends a key; false when unknown or expired. */
  keepAlive(key: string, account: string): boolean {
    const r = this.byKey.get(key);
    if (!r || r.account !== account || r.expiresAt <= this.clock.now()) return false;
    r.expiresAt = this.clock.now() + LIFETIME_MS;
    return true;
  }

  close(key: string, account: string): boolean {
    const r = this.byKey.get(key);
    if (!r || r.account !== account) return false;
    this.byKey.delete(key);
    return true;
  }

  /** The account a live key belongs to. */
  accountOf(key: string): string | undefined {
    const r = this.byKey.get(key);
    if (!r || r.expiresAt <= this.clock.now()) return undefined;
    return r.account;
  }

  /** Expires every key now (the expire-user-data fault); returns the expired keys. */
  expireAll(): string[] {
    const keys = [...this.byKey.keys()];
    this.byKey.clear();
    return keys;
  }

  /** Keys past their lifetime, removed. */
  sweep(): string[] {
    const now = this.clock.now();
    const gone: string[] = [];
    for (const [key, r] of this.byKey) {
      if (r.expiresAt <= now) {
        gone.push(key);
        this.byKey.delete(key);
      }
    }
    return gone;
  }
}
