/** One match, kept compactly; views format it on demand. */
export class TradeRecord {
  constructor(
    readonly id: number,
    readonly priceTicks: number,
    readonly qtyLots: number,
    readonly quote: bigint,
    readonly time: number,
    readonly buyerAccountId: string,
    readonly sellerAccountId: string,
    readonly buyerOrderId: number,
    readonly sellerOrderId: number,
    readonly buyerOrderListId: number,
    readonly sellerOrderListId: number,
    /** Buyer's commission in base units, seller's in quote units. */
    readonly buyerCommission: bigint,
    readonly sellerCommission: bigint,
    readonly isBuyerMaker: boolean,
  ) {}
}

/** Appends to a bounded history; trims in batches so trimming stays amortised O(1). */
export function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max * 2 + 16) list.splice(0, list.length - max);
}

export function lastN<T>(list: T[], n: number): T[] {
  return n >= list.length ? list.slice() : list.slice(list.length - n);
}
