// User data fan-out: every account event goes to each subscription on that account, whether a
// WebSocket API subscription (`userDataStream.subscribe.signature`) or a legacy listenKey stream.
// While the hide-user-fills fault is on, executions and the account positions they moved are
// withheld here (and only here), so REST and WS-API queries still show them.

import type { FaultState } from '../faults.js';
import type { Random } from '../random.js';
import type { AccountEvent, SimVenue } from '../venue.js';

/** A held-back event is released after this long if no later event overtakes it. */
const REORDER_RELEASE_MS = 250;

/** The user-data stream faults (delay, reorder, duplicate) and the seeded random source that draws them. */
export interface UserDataPerturbation {
  readonly faults: FaultState;
  readonly random: Random;
}

export interface UserDataSubscriber {
  readonly account: string;
  deliver(event: AccountEvent): void;
  /** The subscription is over (expired by the venue); tell the client as Binance does. */
  terminate(eventTime: number): void;
}

export class UserDataHub {
  private readonly subscribers = new Set<UserDataSubscriber>();
  private readonly unsubscribeVenue: () => void;
  /** Accounts whose next outboundAccountPosition belongs to a withheld execution. */
  private readonly positionToHide = new Set<string>();
  /** Per subscription, the event the reorder fault holds back until the next one (or its release timer). */
  private readonly held = new Map<UserDataSubscriber, { event: AccountEvent; timer: NodeJS.Timeout }>();

  /** `hidingFills`: whether the hide-user-fills fault is on now; `perturbation`: the stream faults. */
  constructor(
    venue: SimVenue,
    private readonly hidingFills: () => boolean = () => false,
    private readonly perturbation?: UserDataPerturbation,
  ) {
    this.unsubscribeVenue = venue.onAccount((account, event) => {
      if (this.withheld(account, event)) return;
      for (const s of this.subscribers) if (s.account === account) this.send(s, event);
    });
  }

  /** Delivers through the user-data faults: a delay (order kept), a hold-back past the next event, a duplicate. */
  private send(s: UserDataSubscriber, event: AccountEvent): void {
    const p = this.perturbation;
    if (p === undefined) {
      s.deliver(event);
      return;
    }
    const f = p.faults.current;
    const held = this.held.get(s);
    if (held !== undefined) {
      this.held.delete(s);
      clearTimeout(held.timer);
      this.out(s, event, f.userDataDelayMs);
      this.out(s, held.event, f.userDataDelayMs);
      return;
    }
    if (f.userDataReorderProbability > 0 && p.random.next() < f.userDataReorderProbability) {
      p.faults.noteInjected('userDataReorderProbability');
      const timer = setTimeout(() => {
        const still = this.held.get(s);
        this.held.delete(s);
        if (still !== undefined) this.out(s, still.event, 0);
      }, REORDER_RELEASE_MS);
      timer.unref();
      this.held.set(s, { event, timer });
      return;
    }
    this.out(s, event, f.userDataDelayMs);
    if (f.userDataDuplicateProbability > 0 && p.random.next() < f.userDataDuplicateProbability) {
      p.faults.noteInjected('userDataDuplicateProbability');
      this.out(s, event, f.userDataDelayMs);
    }
  }

  private out(s: UserDataSubscriber, event: AccountEvent, delayMs: number): void {
    if (delayMs <= 0) {
      if (this.subscribers.has(s)) s.deliver(event);
      return;
    }
    this.perturbation?.faults.noteInjected('userDataDelayMs');
    // A subscription that ended meanwhile gets nothing: its client re-subscribes and queries.
    setTimeout(() => {
      if (this.subscribers.has(s)) s.deliver(event);
    }, delayMs).unref();
  }

  /**
   * The venue emits one call's execution reports first, then one outboundAccountPosition per
   * account; the position after a withheld execution carries that fill's balances, so it goes too.
   */
  private withheld(account: string, event: AccountEvent): boolean {
    if (event.e === 'executionReport' && event.x === 'TRADE' && this.hidingFills()) {
      this.positionToHide.add(account);
      return true;
    }
    if (event.e === 'outboundAccountPosition' && this.positionToHide.delete(account)) return true;
    return false;
  }

  add(subscriber: UserDataSubscriber): void {
    this.subscribers.add(subscriber);
  }

  remove(subscriber: UserDataSubscriber): void {
    this.subscribers.delete(subscriber);
    this.dropHeld(subscriber);
  }

  private dropHeld(subscriber: UserDataSubscriber): void {
    const held = this.held.get(subscriber);
    if (held !== undefined) clearTimeout(held.timer);
    this.held.delete(subscriber);
  }

  /** Ends every subscription (the expire-user-data fault). */
  expireAll(eventTime: number): number {
    const all = [...this.subscribers];
    this.subscribers.clear();
    for (const s of all) {
      this.dropHeld(s);
      s.terminate(eventTime);
    }
    return all.length;
  }

  close(): void {
    this.unsubscribeVenue();
    for (const s of this.subscribers) this.dropHeld(s);
    this.subscribers.clear();
  }
}
