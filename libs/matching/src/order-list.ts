import type { ContingencyType, ListOrderStatus, ListStatusType } from './types.js';

/**
 * An order list. OCO: two legs sharing one lock; the first to fill or trigger expires the other.
 * OTO: a working leg and a pending leg that goes to the book once the working leg has fully filled.
 * OTOCO: a working leg and a pending OCO pair.
 */
export class OrderList {
  listStatusType: ListStatusType = 'EXEC_STARTED';
  listOrderStatus: ListOrderStatus = 'EXECUTING';
  constructor(
    readonly accountId: string,
    readonly orderListId: number,
    readonly listClientOrderId: string,
    readonly contingencyType: ContingencyType,
    /** Every leg, as Binance lists them: an OCO's stop-loss leg first; an OTO's working leg first. */
    readonly orderIds: readonly number[],
    public transactionTime: number,
    /** The OTO/OTOCO working leg; -1 for an OCO. */
    readonly workingId: number,
    /** The legs that cancel each other: both of an OCO, the pending pair of an OTOCO, none of an OTO. */
    readonly ocoIds: readonly number[],
  ) {}

  /** The legs placed only once the working leg has filled. */
  get pendingIds(): number[] {
    return this.workingId < 0 ? [] : this.orderIds.filter((id) => id !== this.workingId);
  }
}
