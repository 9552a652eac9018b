import { MatchingError } from './errors.js';
import { formatUnits } from './decimal.js';
import type { Balance } from './types.js';

/** One account's holding of one asset, in units of 10^-18. Never removed once created. */
export class BalanceEntry {
  free = 0n;
  locked = 0n;
  /** Set while a change awaits its balance event (see `Ledger.flush`). */
  dirty = false;
  constructor(
    readonly accountId: string,
    readonly asset: string,
  ) {}

  view(): Balance {
    return { asset: this.asset, free: formatUnits(this.free), locked: formatUnits(this.locked) };
  }
}

export interface AccountState {
  readonly accountId: string;
  readonly balances: Map<string, BalanceEntry>;
  /** Per-account commission rates in units (10^-18 = 1); undefined → the symbol's defaults. */
  makerFee: bigint | undefined;
  takerFee: bigint | undefined;
}

/**
 * Balances of every account. Funds move only through `lock`, `unlock` and the matcher's settle,
 * each of which keeps free + locked of every asset, summed over all accounts, unchanged.
 */
export class Ledger {
  readonly accounts = new Map<string, AccountState>();
  /** Entries changed since the last flush, collected only while someone listens. */
  readonly changed: BalanceEntry[] = [];
  tracking = false;

  account(accountId: string): AccountState {
    let acct = this.accounts.get(accountId);
    if (acct === undefined) {
      acct = { accountId, balances: new Map(), makerFee: undefined, takerFee: undefined };
      this.accounts.set(accountId, acct);
    }
    return acct;
  }

  entry(accountId: string, asset: string): BalanceEntry {
    const acct = this.account(accountId);
    let e = acct.balances.get(asset);
    if (e === undefined) {
      e = new BalanceEntry(accountId, asset);
      acct.balances.set(asset, e);
    }
    return e;
  }

  touch(e: BalanceEntry): void {
    if (this.tracking && !e.dirty) {
      e.dirty = true;
      this.changed.push(e);
    }
  }

  /** Moves `amount` from free to locked, or throws INSUFFICIENT_BALANCE. */
  lock(e: BalanceEntry, amount: bigint): void {
    if (amount > e.free) {
      throw new MatchingError(
        'INSUFFICIENT_BALANCE',
        `account ${e.accountId} has ${formatUnits(e.free)} ${e.asset} free, needs ${formatUnits(amount)}`,
        formatUnits(amount),
      );
    }
    e.free -= amount;
    e.locked += amount;
    this.touch(e);
  }

  unlock(e: BalanceEntry, amount: bigint): void {
    if (amount === 0n) return;
    e.locked -= amount;
    e.free += amount;
    this.touch(e);
  }

  credit(e: BalanceEntry, amount: bigint): void {
    e.free += amount;
    this.touch(e);
  }

  debit(e: BalanceEntry, amount: bigint): void {
    if (amount > e.free) {
      throw new MatchingError(
        'INSUFFICIENT_BALANCE',
        `account ${e.accountId} has ${formatUnits(e.free)} ${e.asset} free, cannot withdraw ${formatUnits(amount)}`,
        formatUnits(amount),
      );
    }
    e.free -= amount;
    this.touch(e);
  }
}
