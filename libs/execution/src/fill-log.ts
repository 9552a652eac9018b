// The one log line per fill: what a person reading the logs asks after "order placed" — at what
// price and quantity it filled, the fee, which order, and where the position stands after it.
// Pure: built from what the tracker applied; the shell logs it once the fill is committed.
import { averageEntryPrice, type Position } from '@bourse/domain';
import type { TrackerChange } from './order-tracker.js';

export interface FillLogRecord {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrument: string;
  readonly side: string;
  readonly qty: string;
  readonly price: string;
  readonly fee: string;
  readonly feeAsset: string;
  readonly liquidity: string;
  readonly venueFillId: string;
  /** The order's filled quantity so far, after this fill. */
  readonly orderFilledQty?: string;
  /** The strategy's position in the instrument after this fill (signed), its average entry and realized P&L. */
  readonly positionQty?: string;
  readonly positionAvgEntry?: string;
  readonly realizedPnl?: string;
}

/** One record per fill the change applied, with the position after it. */
export function fillLogRecords(change: TrackerChange): FillLogRecord[] {
  return change.fills.map(({ event, strategyId }) => {
    const position: Position | undefined = change.positions.find(
      (p) => p.strategyId === strategyId && p.instrument === event.instrument,
    );
    const avg = position === undefined ? undefined : averageEntryPrice(position);
    return {
      clientOrderId: event.clientOrderId,
      strategyId,
      instrument: event.instrument,
      side: event.side,
      qty: event.qty,
      price: event.price,
      fee: event.fee,
      feeAsset: event.feeAsset,
      liquidity: event.liquidity,
      venueFillId: event.venueFillId,
      ...(change.tracked !== undefined ? { orderFilledQty: change.tracked.fillQty.toString() } : {}),
      ...(position !== undefined
        ? {
            positionQty: position.qty.toString(),
            ...(avg !== undefined ? { positionAvgEntry: avg.toString() } : {}),
            realizedPnl: position.realizedPnl.toString(),
          }
        : {}),
    };
  });
}
