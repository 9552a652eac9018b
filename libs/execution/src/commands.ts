import {
  OperatorCommand,
  contractIssues,
  type CancelCommandReply,
  type CancelCommandResult,
  type CancelTarget,
  type SkippedOrder,
  type TradingStateScope,
} from '@bourse/contracts';
import { isTerminal } from '@bourse/domain';
import type { OrderTracker, TrackedOrder } from './order-tracker.js';

// Operator commands the OMS serves over NATS request/reply (`cmd.order-manager.cancel`,
// `cmd.order-manager.cancel-all`): cancel one order, or every live order of a strategy, an
// instrument, or everything. Pure selection: the plan names the orders to cancel and the reply;
// the shell runs `executeCancel` for each target, aborts the tactics that own them, and replies.
// The reply shapes (CancelTarget, CancelCommandResult, …) are contracts (@bourse/contracts).

export interface CommandPlan {
  /** Orders to cancel, each by client order id (its tactic, if any, must be aborted too). */
  readonly targets: readonly CancelTarget[];
  readonly reply: CancelCommandReply;
}

/**
 * The live orders in `scope`, and the ones in scope that need no cancel (already pending-cancel).
 * Instrument scopes match the venue symbol (`BTCUSDT`, the subject token the trading state uses).
 */
export function selectCancelTargets(
  orders: Iterable<TrackedOrder>,
  scope: TradingStateScope,
): { targets: CancelTarget[]; skipped: SkippedOrder[] } {
  const targets: CancelTarget[] = [];
  const skipped: SkippedOrder[] = [];
  for (const tracked of orders) {
    if (!inScope(tracked, scope) || isTerminal(tracked.order.status)) continue;
    const status = tracked.order.status;
    if (status === 'pending-cancel') {
      skipped.push({ clientOrderId: tracked.request.clientOrderId, status, reason: 'cancel already requested' });
      continue;
    }
    targets.push(targetOf(tracked));
  }
  targets.sort((a, b) => (a.clientOrderId < b.clientOrderId ? -1 : a.clientOrderId > b.clientOrderId ? 1 : 0));
  return { targets, skipped };
}

/**
 * Decodes a command and plans it against the followed orders. Serves `cancel` and `cancel-all`;
 * anything else, or a malformed message, gets an error reply and no targets. Never throws.
 */
export function planOperatorCommand(raw: unknown, orders: Pick<OrderTracker, 'get' | 'liveOrders'>): CommandPlan {
  const parsed = OperatorCommand.safeParse(raw);
  if (!parsed.success) {
    const detail = contractIssues(parsed.error)
      .map((i) => `${i.path || '(root)'}: ${i.message}`)
      .join('; ');
    return refuse('CONTRACT_VIOLATION', `OperatorCommand is invalid: ${detail}`);
  }
  const command = parsed.data;
  if (command.command === 'cancel-all') {
    const { targets, skipped } = selectCancelTargets(orders.liveOrders(), command.scope);
    return { targets, reply: okReply({ requested: targets, skipped }) };
  }
  if (command.command === 'cancel') {
    const found = orders.get(command.clientOrderId);
    if (found === undefined)
      return refuse('NOT_FOUND', `no order ${command.clientOrderId} is followed by this order manager`);
    const status = found.order.status;
    if (isTerminal(status)) return refuse('NOT_LIVE', `order ${command.clientOrderId} is already ${status}`);
    if (status === 'pending-cancel') {
      const skipped = [{ clientOrderId: found.request.clientOrderId, status, reason: 'cancel already requested' }];
      return { targets: [], reply: okReply({ requested: [], skipped }) };
    }
    const target = targetOf(found);
    return { targets: [target], reply: okReply({ requested: [target], skipped: [] }) };
  }
  return refuse(
    'UNSUPPORTED_COMMAND',
    `the order manager does not serve ${command.command}; it serves cancel and cancel-all`,
  );
}

function inScope(tracked: TrackedOrder, scope: TradingStateScope): boolean {
  switch (scope.kind) {
    case 'global':
      return true;
    case 'instrument':
      return tracked.request.venueSymbol === scope.symbol;
    case 'strategy':
      return tracked.request.strategyId === scope.strategyId;
  }
}

function targetOf(tracked: TrackedOrder): CancelTarget {
  const { request, order } = tracked;
  return {
    clientOrderId: request.clientOrderId,
    strategyId: request.strategyId,
    instrument: request.instrument,
    venueSymbol: request.venueSymbol,
    status: order.status,
  };
}

function okReply(result: CancelCommandResult): CancelCommandReply {
  return { v: 1, ok: true, result };
}

function refuse(code: string, message: string): CommandPlan {
  return { targets: [], reply: { v: 1, ok: false, error: { code, message } } };
}
