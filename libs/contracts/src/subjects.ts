// Every NATS subject, stream name and KV key Bourse uses is built here and nowhere else.
// A namespace prefix lets each test file (or each deployment sharing one NATS) live apart.

export class InvalidSubjectTokenError extends Error {
  override readonly name = 'InvalidSubjectTokenError';
  readonly code = 'INVALID_SUBJECT_TOKEN';
  constructor(
    readonly field: string,
    readonly value: string,
  ) {
    super(`${field} "${value}" cannot be used in a NATS subject (letters, digits, "_", "-" and ":" only)`);
  }
}

/** What one token of a subject may hold: no dot (the separator), no wildcard (`*`, `>`), no space. */
export const SUBJECT_TOKEN_PATTERN = /^[A-Za-z0-9_:-]+$/;
const TOKEN = SUBJECT_TOKEN_PATTERN;

/** Returns the token unchanged; throws InvalidSubjectTokenError when it holds a dot, wildcard or space. */
export function subjectToken(field: string, value: string): string {
  if (!TOKEN.test(value)) throw new InvalidSubjectTokenError(field, value);
  return value;
}

export type MarketDataKind = 'quote' | 'trade' | 'book' | 'bookdelta' | 'status';

export interface StreamNames {
  readonly INTENTS: string;
  readonly ORDERS: string;
  readonly EXEC: string;
  readonly RISK: string;
  readonly RECON: string;
  readonly DLQ: string;
}

export interface Subjects {
  readonly prefix: string;
  readonly md: {
    quote(venue: string, symbol: string): string;
    trade(venue: string, symbol: string): string;
    book(venue: string, symbol: string): string;
    bookDelta(venue: string, symbol: string): string;
    feedStatus(venue: string, symbol: string): string;
    /** Wildcard over every market-data kind of one instrument, or of every instrument of a venue. */
    all(venue?: string, symbol?: string): string;
  };
  intent(strategyId: string, symbol: string): string;
  intentsAll(): string;
  riskDecision(strategyId: string): string;
  orderRequest(symbol: string): string;
  exec: {
    status(symbol: string): string;
    fill(symbol: string): string;
    all(): string;
  };
  reconReport(): string;
  /** Request/reply subject of an operator command served by one service (`kill`, `cancel-all`, …). */
  command(service: string, command: string): string;
  dlq(service: string): string;
  /** The subjects each JetStream stream captures. */
  streamSubjects: Record<keyof StreamNames, string[]>;
  streams: StreamNames;
  /** The KV bucket that holds trading state. */
  tradingStateBucket: string;
}

export type TradingStateScope =
  { kind: 'global' } | { kind: 'instrument'; symbol: string } | { kind: 'strategy'; strategyId: string };

/** KV key of a trading-state scope: `global`, `instrument.BTCUSDT`, `strategy.sma-cross`. */
export function tradingStateKey(scope: TradingStateScope): string {
  switch (scope.kind) {
    case 'global':
      return 'global';
    case 'instrument':
      return `instrument.${subjectToken('symbol', scope.symbol)}`;
    case 'strategy':
      return `strategy.${subjectToken('strategyId', scope.strategyId)}`;
  }
}

/**
 * Subjects under an optional namespace. The empty namespace is production; tests pass their own
 * (e.g. `t_3fa1`) so that subjects, stream names and the KV bucket never collide across files.
 */
export function createSubjects(namespace = ''): Subjects {
  if (namespace !== '') subjectToken('namespace', namespace);
  const p = namespace === '' ? '' : `${namespace}.`;
  const s = namespace === '' ? '' : `${namespace.toUpperCase().replace(/[^A-Z0-9_-]/g, '_')}_`;
  const t = subjectToken;
  const md = (kind: MarketDataKind) => (venue: string, symbol: string) =>
    `${p}md.${t('venue', venue)}.${t('symbol', symbol)}.${kind}`;
  return {
    prefix: namespace,
    md: {
      quote: md('quote'),
      trade: md('trade'),
      book: md('book'),
      bookDelta: md('bookdelta'),
      feedStatus: md('status'),
      all: (venue, symbol) =>
        venue === undefined
          ? `${p}md.>`
          : symbol === undefined
            ? `${p}md.${t('venue', venue)}.>`
            : `${p}md.${t('venue', venue)}.${t('symbol', symbol)}.*`,
    },
    intent: (strategyId, symbol) => `${p}intent.${t('strategyId', strategyId)}.${t('symbol', symbol)}`,
    intentsAll: () => `${p}intent.>`,
    riskDecision: (strategyId) => `${p}risk.decision.${t('strategyId', strategyId)}`,
    orderRequest: (symbol) => `${p}order.request.${t('symbol', symbol)}`,
    exec: {
      status: (symbol) => `${p}exec.status.${t('symbol', symbol)}`,
      fill: (symbol) => `${p}exec.fill.${t('symbol', symbol)}`,
      all: () => `${p}exec.>`,
    },
    reconReport: () => `${p}recon.report`,
    command: (service, command) => `${p}cmd.${t('service', service)}.${t('command', command)}`,
    dlq: (service) => `${p}dlq.${t('service', service)}`,
    streamSubjects: {
      INTENTS: [`${p}intent.>`],
      ORDERS: [`${p}order.>`],
      EXEC: [`${p}exec.>`],
      RISK: [`${p}risk.>`],
      RECON: [`${p}recon.>`],
      DLQ: [`${p}dlq.>`],
    },
    streams: {
      INTENTS: `${s}INTENTS`,
      ORDERS: `${s}ORDERS`,
      EXEC: `${s}EXEC`,
      RISK: `${s}RISK`,
      RECON: `${s}RECON`,
      DLQ: `${s}DLQ`,
    },
    tradingStateBucket: `${s}trading_state`,
  };
}

/** Production subjects (no namespace). */
export const subjects: Subjects = createSubjects();
