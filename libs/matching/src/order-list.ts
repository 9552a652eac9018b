import type { ListOrderStatus, ListStatusType } from './types.js';

/** An OCO: two legs sharing one lock; the first leg to fill or trigger ends the other. */
export class OrderList {
  listStatusType: ListStatusType = 'EXEC_STARTED';
  listOrderStatus: ListOrderStatus = 'EXECUTING';
  constructor(
    readonly accountId: string,
    readonly orderListId: number,
    readonly listClientOrderId: string,
    /** [stop leg, limit-maker leg], as Binance lists them. */
    readonly orderIds: [number, number],
    public transactionTime: number,
  ) {}
}
