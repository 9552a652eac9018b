export {
  createSubjects,
  subjects,
  subjectToken,
  tradingStateKey,
  InvalidSubjectTokenError,
  SUBJECT_TOKEN_PATTERN,
  type Subjects,
  type StreamNames,
  type MarketDataKind,
} from './subjects.js';
export {
  DECIMAL_PATTERN,
  DecimalString,
  PositiveDecimalString,
  NonNegativeDecimalString,
  EpochMs,
  ClientOrderId,
  VenueOrderId,
  VenueFillId,
  StrategyId,
  InstrumentSymbol,
  VenueId,
  Side,
  OrderStyle,
  TimeInForce,
  OrderStatus,
  TERMINAL_ORDER_STATUSES,
  Liquidity,
  TradingMode,
  IntentId,
  EventId,
  VenueSymbol,
  AssetCode,
} from './primitives.js';
export {
  decodeMessage,
  contractIssues,
  ContractViolationError,
  isContractViolation,
  type ContractIssue,
} from './decode.js';
export { Instrument } from './instrument.js';
export { Quote, Trade, BookLevel, BookSnapshot, BookDelta, FeedState, FeedStatus } from './market-data.js';
export { ExecutionConstraints } from './order-shape.js';
export { Intent, StrategyVersion, CodeHash, DecisionInputs } from './intent.js';
export { RiskDecision, RiskRuleFailure } from './risk-decision.js';
export { OrderRequest } from './order-request.js';
export { OrderStatusUpdate, RejectedBy } from './events/order-status-update.js';
export { FillEvent } from './events/fill-event.js';
export { ExecutionEvent, ExecutionEventType } from './events/execution-event.js';
// The schema and its inferred type share the name; the type is the same shape subjects.ts keys by.
export {
  TradingStateScope,
  TradingState,
  KillSwitchTrigger,
  KillSwitchAction,
  KillSwitchCancel,
  KillSwitchTrip,
} from './trading-state.js';
export {
  ReconciliationReport,
  ReconciliationTrigger,
  ReconciliationVerdict,
  AmountDifference,
  OrderDifference,
  UnknownOpenOrder,
} from './reconciliation-report.js';
export {
  OperatorCommand,
  OperatorCommandName,
  KillCommand,
  ResumeCommand,
  CancelAllCommand,
  CancelCommand,
  StatusCommand,
  ReconNowCommand,
  ReloadLimitsCommand,
  OperatorError,
  OperatorReply,
  operatorReplyOf,
} from './operator.js';
export { DeadLetter, DeadLetterIssue } from './dead-letter.js';
export {
  MarketSnapshot,
  SnapshotTop,
  SnapshotDepth,
  SnapshotTrade,
  marketSnapshotKey,
  snapshotKeyPrefix,
} from './market-snapshot.js';
export { VenueCorrections, VenueCorrectionsApplied } from './venue-corrections.js';
export {
  CancelTarget,
  SkippedOrder,
  CancelCommandResult,
  CancelCommandReply,
  CancelExecutionResult,
  CancelExecutionReply,
  OmsStatus,
  OmsStatusReply,
  VenueCorrectionsReply,
  BookTransferCommand,
  BookTransferResult,
  BookTransferReply,
} from './oms-replies.js';
export {
  VenueOrderType,
  CONTINGENT_ORDER_TYPES,
  TrailingDelta,
  ListStatusType,
  ListOrderStatus,
  ContingencyType,
  OrderListLeg,
  SidedOrderListLeg,
  TrailingStopOrder,
  OcoOrderList,
  OtoOrderList,
  OtocoOrderList,
  OrderListRequest,
  OrderListMember,
  OrderListStatus,
  ListStatusEvent,
  listStatusFromEvent,
  checkLegShape,
} from './order-list.js';
