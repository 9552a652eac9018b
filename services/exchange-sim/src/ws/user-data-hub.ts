// User data fan-out: every account event goes to each subscription on that account, whether a
// WebSocket API subscription (`userDataStream.subscribe.signature`) or a legacy listenKey stream.
// While the hide-user-fills fault is on, executions and the account positions they moved are
// withheld here (and only here), so REST and WS-API queries still show them.

import type { AccountEvent, SimVenue } from '../venue.js';

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

  /** `hidingFills`: whether the hide-user-fills fault is on now. */
  constructor(
    venue: SimVenue,
    private readonly hidingFills: () => boolean = () => false,
  ) {
    this.unsubscribeVenue = venue.onAccount((account, event) => {
      if (this.withheld(account, event)) return;
      for (const s of this.subscribers) if (s.account === account) s.deliver(event);
    });
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
  }

  /** Ends every subscription (the expire-user-data fault). */
  expireAll(eventTime: number): number {
    const all = [...this.subscribers];
    this.subscribers.clear();
    for (const s of all) s.terminate(eventTime);
    return all.length;
  }

  close(): void {
    this.unsubscribeVenue();
    this.subscribers.clear();
  }
}
