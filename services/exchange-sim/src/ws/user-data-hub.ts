// User data fan-out: every account event goes to each subscription on that account, whether a
// WebSocket API subscription (`userDataStream.subscribe.signature`) or a legacy listenKey stream.

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

  constructor(venue: SimVenue) {
    this.unsubscribeVenue = venue.onAccount((account, event) => {
      for (const s of this.subscribers) if (s.account === account) s.deliver(event);
    });
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
