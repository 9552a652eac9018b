import type { Intent } from '@bourse/contracts';
import type { HandlerName } from '../types.js';
import type { FeedBlock } from './market-desk.js';
import type { HistoryRequest } from './warmup.js';
import type { ReconBlock } from './recon-gate.js';
import type { StateChange } from './state-store.js';

/** Why a valid intent was not published. */
export type SuppressReason = FeedBlock | ReconBlock['reason'] | 'trading-halted' | 'trading-reducing';

/** Something the shell should log and count; the core has no logger. */
export type Notice =
  | {
      readonly kind: 'suppressed';
      readonly strategyId: string;
      readonly venueSymbol: string;
      readonly reason: SuppressReason;
      readonly detail: string;
      readonly intent: Intent;
    }
  | {
      readonly kind: 'paused';
      readonly strategyId: string;
      readonly venueSymbol: string;
      readonly trigger: HandlerName;
      /** StrategyError code (STRATEGY_HANDLER_FAILED, INVALID_INTENT, ...) or UNEXPECTED. */
      readonly code: string;
      readonly message: string;
      readonly error: unknown;
    }
  | {
      /** History was fed to the strategies of a timeframe (or could not be: `bars` 0 and `failed`). */
      readonly kind: 'warmed-up';
      readonly venueSymbol: string;
      readonly timeframeMs: number;
      readonly strategyIds: readonly string[];
      readonly bars: number;
      /** Intents the strategies returned on history bars: dropped, history is for indicators only. */
      readonly droppedIntents: number;
      readonly failed: boolean;
      readonly message: string;
    }
  | {
      /** A stored state could not be used: the strategy does not run on this instrument (StoredStateError). */
      readonly kind: 'state-refused';
      readonly strategyId: string;
      readonly venueSymbol: string;
      readonly message: string;
      readonly error: unknown;
    }
  | {
      readonly kind: 'bad-market-data';
      readonly venueSymbol: string;
      readonly message: string;
      readonly error: unknown;
    };

/** What one step of the core yields: intents to publish, in order, notices, and venue history to fetch. */
export interface CoreOutput {
  readonly intents: Intent[];
  readonly notices: Notice[];
  /** Only with `warmupFromHistory`: answer each with RunnerCore.onHistory or onHistoryFailed. */
  readonly historyRequests: HistoryRequest[];
  /**
   * States changed by this step's live evaluations, in order: persist each (StateKeeper) before the
   * intents of the same step are published, so a crash never leaves an intent sent and its state lost.
   */
  readonly stateChanges: StateChange[];
}

export function emptyOutput(): CoreOutput {
  return { intents: [], notices: [], historyRequests: [], stateChanges: [] };
}
