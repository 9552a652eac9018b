// Runs the core's LimitChase for every order request that asks for it (constraints.limitWindowMs on
// a limit / limit-maker request): feeds it quotes (core NATS md.quote of the instrument, subscribed
// when the first chase of that instrument starts), a tick from the injected clock every `tickMs`,
// and the tracker's view of its child after every applied change; carries out its effects through
// the same submission and cancel paths as everything else. All tactic work runs on one queue, so a
// chase never sees two events at once.

import type { Bus, BusSubscription } from '@bourse/bus';
import { Quote, type ClientOrderId, type OrderRequest } from '@bourse/contracts';
import { dec, type InstrumentRegistry, type Order } from '@bourse/domain';
import type { Logger } from '@bourse/telemetry';
import { CancelReplaceRateLimit, LimitChase, type Clock, type TacticStep, type TrackerChange } from '../core/index.js';
import type { OrderManagerMetrics } from './metrics.js';

const QuoteContract = { name: 'Quote', schema: Quote };

export interface ChaseSettings {
  readonly replaceIntervalMs: number;
  readonly maxReplacements: number;
  readonly placement: 'join' | 'improve';
  readonly maxSpreadBps: string;
  readonly replaceRate: { readonly maxPerWindow: number; readonly windowMs: number };
  readonly tickMs: number;
}

export interface TacticPorts {
  /** Submits a child request (pause gate, journal, venue, persist, publish); resolves after the commit. */
  submit(request: OrderRequest): Promise<void>;
  /** Cancels a child at the venue and applies the result. */
  cancel(clientOrderId: string, instrument: string): Promise<void>;
  nextClientOrderId(parent: OrderRequest): ClientOrderId;
  /** The tracker's current view of an order (batches can be applied out of venue order; the current view decides). */
  currentOrder(clientOrderId: string): Order | undefined;
}

export interface TacticRunnerOptions {
  readonly bus: Bus;
  readonly venue: string;
  readonly registry: InstrumentRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: OrderManagerMetrics;
  readonly settings: ChaseSettings;
  readonly ports: TacticPorts;
}

/** Whether the request asks for the limit-then-market tactic. */
export function wantsChase(request: OrderRequest): boolean {
  return (
    request.constraints?.limitWindowMs !== undefined && (request.style === 'limit' || request.style === 'limit-maker')
  );
}

export class TacticRunner {
  private readonly chases = new Map<string, { readonly chase: LimitChase; readonly parent: OrderRequest }>();
  private readonly quotes = new Map<string, Quote>();
  private readonly subscriptions = new Map<string, BusSubscription>();
  private readonly rateLimit: CancelReplaceRateLimit;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(private readonly o: TacticRunnerOptions) {
    this.rateLimit = new CancelReplaceRateLimit(o.settings.replaceRate);
    this.log = o.logger.child({ component: 'tactics' });
  }

  get active(): number {
    return this.chases.size;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.settings.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const sub of this.subscriptions.values()) await sub.unsubscribe();
    this.subscriptions.clear();
    await this.queue.catch(() => undefined);
  }

  /**
   * Starts a chase for `parent`; resolves once its first step ran (with a quote at hand, the first
   * child is journaled by then). Throws OMS_INVALID_TACTIC for parameters it cannot work with.
   */
  begin(parent: OrderRequest): Promise<void> {
    return this.serial(async () => {
      const spec = this.o.registry.get(parent.instrument);
      if (spec === undefined) throw new Error(`instrument ${parent.instrument} is not listed by the venue`);
      const s = this.o.settings;
      const chase = new LimitChase({
        parent,
        instrument: spec,
        startedAt: this.o.clock.now(),
        replaceIntervalMs: s.replaceIntervalMs,
        maxReplacements: s.maxReplacements,
        placement: s.placement,
        maxSpreadBps: dec(s.maxSpreadBps),
        nextClientOrderId: () => this.o.ports.nextClientOrderId(parent),
        rateLimit: this.rateLimit,
      });
      this.chases.set(parent.clientOrderId, { chase, parent });
      this.watchQuotes(parent.venueSymbol);
      this.log.info({ clientOrderId: parent.clientOrderId, windowEndsAt: chase.windowEndsAt }, 'limit chase started');
      const quote = this.quotes.get(parent.venueSymbol);
      if (quote !== undefined)
        await this.carryOut(parent.clientOrderId, chase, chase.onTick(this.o.clock.now(), quote));
    });
  }

  /** After every applied batch: each chase whose live child changed hears about it. */
  onChanges(changes: readonly TrackerChange[]): void {
    const touched = new Set(changes.filter((c) => c.outcome === 'applied').map((c) => c.clientOrderId));
    if (touched.size === 0 || this.chases.size === 0) return;
    void this.serial(async () => {
      for (const [id, { chase }] of [...this.chases]) {
        const child = chase.status().childClientOrderId;
        if (child === undefined || !touched.has(child)) continue;
        const order = this.o.ports.currentOrder(child);
        if (order !== undefined) await this.carryOut(id, chase, chase.onOrderUpdate(order, this.o.clock.now()));
      }
    });
  }

  /** Stops the chases whose live child is one of `clientOrderIds` (an operator cancel covers the child). */
  abortFor(clientOrderIds: ReadonlySet<string>, reason: string): Promise<void> {
    return this.serial(async () => {
      for (const [id, { chase }] of this.chases) {
        const child = chase.status().childClientOrderId;
        if (!clientOrderIds.has(id) && (child === undefined || !clientOrderIds.has(child))) continue;
        await this.carryOut(id, chase, chase.abort(reason, { cancelSent: true }));
      }
    });
  }

  private watchQuotes(venueSymbol: string): void {
    if (this.subscriptions.has(venueSymbol)) return;
    const subject = this.o.bus.subjects.md.quote(this.o.venue, venueSymbol);
    this.subscriptions.set(
      venueSymbol,
      this.o.bus.subscribe(subject, QuoteContract, (quote) => {
        this.quotes.set(venueSymbol, quote);
        void this.tick(venueSymbol);
      }),
    );
  }

  private tick(venueSymbol?: string): Promise<void> {
    if (this.chases.size === 0) return Promise.resolve();
    return this.serial(async () => {
      for (const [id, { chase, parent }] of this.chases) {
        if (venueSymbol !== undefined && parent.venueSymbol !== venueSymbol) continue;
        const quote = this.quotes.get(parent.venueSymbol);
        if (quote === undefined) continue;
        await this.carryOut(id, chase, chase.onTick(this.o.clock.now(), quote));
      }
    });
  }

  private async carryOut(parentId: string, chase: LimitChase, step: TacticStep): Promise<void> {
    if (step.effects.length > 0 || step.notes.length > 0) {
      this.log.debug(
        { clientOrderId: parentId, effects: step.effects.map((e) => e.kind), notes: step.notes },
        'tactic step',
      );
    }
    for (const effect of step.effects) {
      try {
        switch (effect.kind) {
          case 'submit':
            await this.o.ports.submit(effect.request);
            break;
          case 'cancel':
            await this.o.ports.cancel(effect.clientOrderId, effect.symbol);
            break;
          case 'done':
            this.chases.delete(parentId);
            this.o.metrics.tactics.inc({ outcome: effect.outcome });
            this.log.info(
              {
                clientOrderId: parentId,
                outcome: effect.outcome,
                reason: effect.reason,
                filledQty: effect.filledQty,
                remainingQty: effect.remainingQty,
                fallback: describeFallback(chase),
              },
              'limit chase done',
            );
            break;
        }
      } catch (err) {
        // The child's outcome reaches the chase through the tracker (or the reconciler); a failed
        // call here leaves it waiting on the venue, never sending a second order in its place.
        this.log.error({ err, clientOrderId: parentId, effect: effect.kind }, 'tactic effect failed');
      }
    }
  }

  private serial(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch((err: unknown) => this.log.error({ err }, 'tactic step failed'));
    return run;
  }
}

function describeFallback(chase: LimitChase): string | undefined {
  const f = chase.status().fallback;
  if (f === undefined) return undefined;
  return f.allowed ? `taken at about ${f.estimatedPrice.toString()}` : `refused by ${f.guard}: ${f.reason}`;
}
