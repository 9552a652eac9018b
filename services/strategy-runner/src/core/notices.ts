import type { Intent } from '@bourse/contracts';
import type { HandlerName } from '@bourse/strategy';
import type { FeedBlock } from './market-desk.js';
import type { ReconBlock } from './recon-gate.js';

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
      readonly kind: 'bad-market-data';
      readonly venueSymbol: string;
      readonly message: string;
      readonly error: unknown;
    };

/** What one step of the core yields: intents to publish, in order, and notices. */
export interface CoreOutput {
  readonly intents: Intent[];
  readonly notices: Notice[];
}

export function emptyOutput(): CoreOutput {
  return { intents: [], notices: [] };
}
