import type { Quote } from '@bourse/contracts';
import type { InstrumentSpec } from '@bourse/domain';
import type {
  Clock,
  OpenOrderView,
  PositionView,
  StrategyContext,
  StrategyContextSource,
  StrategyState,
} from '../types.js';

const EMPTY_STATE: StrategyState = Object.freeze({});

/**
 * Wraps what the runner knows into the read-only view a strategy gets. Each call reads the source
 * afresh and hands out frozen copies, so a strategy can neither change the runner's data nor keep a
 * live handle on it. `state` is the instance's own and is filled in by the instance (see withState).
 */
export function createStrategyContext(source: StrategyContextSource): StrategyContext {
  const ctx: StrategyContext = {
    get now() {
      return source.clock.now();
    },
    quote: (symbol) => freezeCopy(source.quote(symbol)),
    position: (symbol) => positionView(symbol, source.position(symbol)),
    openOrders: (symbol) => {
      const all = source.openOrders();
      const chosen = symbol === undefined ? all : all.filter((o) => o.instrument === symbol);
      return Object.freeze(chosen.map((o) => Object.freeze({ ...o })));
    },
    get equity() {
      return source.equity?.();
    },
    get cash() {
      return source.cash?.();
    },
    state: EMPTY_STATE,
    instrument: (symbol) => freezeSpec(source.instrument(symbol)),
  };
  return Object.freeze(ctx);
}

/** The same view with the instance's own state in place of whatever `ctx.state` held. */
export function withState(ctx: StrategyContext, state: StrategyState): StrategyContext {
  return Object.freeze({
    get now() {
      return ctx.now;
    },
    quote: (symbol: string) => ctx.quote(symbol),
    position: (symbol: string) => ctx.position(symbol),
    openOrders: (symbol?: string) => ctx.openOrders(symbol),
    get equity() {
      return ctx.equity;
    },
    get cash() {
      return ctx.cash;
    },
    state,
    instrument: (symbol: string) => ctx.instrument(symbol),
  });
}

/** Plain data for a context: what a test or a backtest step knows at one moment. */
export interface ContextSnapshot {
  readonly quotes?: readonly Quote[];
  /** Signed qty and average price by instrument symbol. */
  readonly positions?: Readonly<Record<string, { readonly qty: string; readonly avgPrice?: string }>>;
  readonly openOrders?: readonly OpenOrderView[];
  readonly equity?: string;
  readonly cash?: string;
  readonly instruments?: readonly InstrumentSpec[];
}

/** A context over fixed data (the latest quote per instrument wins). For tests and simple drivers. */
export function snapshotContext(snapshot: ContextSnapshot, clock: Clock): StrategyContext {
  const quotes = new Map<string, Quote>();
  for (const q of snapshot.quotes ?? []) quotes.set(q.instrument, q);
  const specs = new Map<string, InstrumentSpec>();
  for (const s of snapshot.instruments ?? []) specs.set(s.symbol, s);
  return createStrategyContext({
    clock,
    quote: (symbol) => quotes.get(symbol),
    position: (symbol) => snapshot.positions?.[symbol],
    openOrders: () => snapshot.openOrders ?? [],
    equity: () => snapshot.equity,
    cash: () => snapshot.cash,
    instrument: (symbol) => specs.get(symbol),
  });
}

function positionView(symbol: string, p: { qty: string; avgPrice?: string } | undefined): PositionView {
  if (p === undefined) return Object.freeze({ instrument: symbol, qty: '0' });
  return Object.freeze(
    p.avgPrice === undefined
      ? { instrument: symbol, qty: p.qty }
      : { instrument: symbol, qty: p.qty, avgPrice: p.avgPrice },
  );
}

function freezeCopy<T extends object>(value: T | undefined): Readonly<T> | undefined {
  return value === undefined ? undefined : Object.freeze({ ...value });
}

function freezeSpec(spec: InstrumentSpec | undefined): InstrumentSpec | undefined {
  if (spec === undefined) return undefined;
  // Decimal values are immutable; the price band is the one nested object.
  const band = spec.priceBand === undefined ? undefined : Object.freeze({ ...spec.priceBand });
  return Object.freeze(band === undefined ? { ...spec } : { ...spec, priceBand: band });
}
