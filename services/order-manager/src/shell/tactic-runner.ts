// Runs the core's LimitChase for every order request that asks for it (constraints.limitWindowMs on
// a limit / limit-maker request): feeds it quotes and the book's far side (TacticMarket), a tick
// from the injected clock every `tickMs`, and the tracker's view of its child after every applied
// change; carries out its effects through the same submission and cancel paths as everything else.
// All tactic work runs on one queue, so a chase never sees two events at once.
//
// Every chase is durable (TacticJournal, migration 0003), and each write is committed before the
// act it describes: the chase before its request is acked, each child with its counter before it
// is journaled, the reason for a cancel before the cancel, the outcome when done (an operator's
// abort at once). `resume` rebuilds a stored chase at start-up from the tracker's view of its children.

import type { Bus } from '@bourse/bus';
import type { ClientOrderId, OrderRequest } from '@bourse/contracts';
import { dec, type InstrumentRegistry, type Order } from '@bourse/domain';
import type { Logger } from '@bourse/telemetry';
import {
  CancelReplaceRateLimit,
  LimitChase,
  isOrderManagerError,
  type CancelReason,
  type Clock,
  type LimitChaseParams,
  type LimitChaseProgress,
  type SubmissionOutcome,
  type TacticEffect,
  type TacticStep,
  type TrackerChange,
} from '@bourse/execution';
import type { StoredTactic, TacticChildRecord, TacticOutcome } from '../store/index.js';
import type { BookDepthSource } from './book-depth.js';
import type { OrderManagerMetrics } from './metrics.js';
import { TacticMarket } from './tactic-market.js';

export interface ChaseSettings {
  readonly replaceIntervalMs: number;
  readonly maxReplacements: number;
  readonly placement: 'join' | 'improve';
  readonly maxSpreadBps: string;
  readonly replaceRate: { readonly maxPerWindow: number; readonly windowMs: number };
  readonly tickMs: number;
}

export interface TacticPorts {
  /** Submits a child request (pause gate, journal, venue, persist, publish); resolves with its outcome after the commit. */
  submit(request: OrderRequest): Promise<SubmissionOutcome>;
  /**
   * Follows a child that was refused before the tracker followed it, as a rejected order with
   * `reason`, and stores its row; resolves with the tracker's view of it.
   */
  recordRefusal(request: OrderRequest, reason: string): Promise<Order>;
  /** Cancels a child at the venue and applies the result. */
  cancel(clientOrderId: string, instrument: string): Promise<void>;
  /** The id of a parent's `seq`th replacement or fallback order. */
  childClientOrderId(parent: OrderRequest, seq: number): ClientOrderId;
  /** The tracker's current view of an order (batches can be applied out of venue order; the current view decides). */
  currentOrder(clientOrderId: string): Order | undefined;
  /**
   * Runs a step's effects inside a span of the parent order's trace (absent: untraced); `parent` names
   * the strategy and intent before any child of the chase is followed.
   */
  inTrace?(parent: OrderRequest, effects: readonly string[], run: () => Promise<void>): Promise<void>;
}

/** Where chases are kept across restarts; each call resolves once the write is committed. */
export interface TacticJournal {
  /** Stores a new chase; false when it was stored before (a redelivered request). */
  begin(parent: OrderRequest, startedAt: number): Promise<boolean>;
  /** Stores a child and moves the chase's counter past it; called before the child is submitted. */
  recordChild(parentClientOrderId: string, child: TacticChildRecord): Promise<void>;
  /** Stores why a child is being canceled; called before the cancel is sent. */
  recordCancel(parentClientOrderId: string, childClientOrderId: string, reason: CancelReason): Promise<void>;
  /** Marks the chase done; the first outcome stays. */
  finish(parentClientOrderId: string, outcome: TacticOutcome, reason: string): Promise<void>;
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
  readonly journal: TacticJournal;
  /** The far side of the book for the market fallback's guards; without it they see the touch size only. */
  readonly depth?: BookDepthSource;
}

/** Whether the request asks for the limit-then-market tactic. */
export function wantsChase(request: OrderRequest): boolean {
  return (
    request.constraints?.limitWindowMs !== undefined && (request.style === 'limit' || request.style === 'limit-maker')
  );
}

export class TacticRunner {
  private readonly chases = new Map<string, { readonly chase: LimitChase; readonly parent: OrderRequest }>();
  private readonly market: TacticMarket;
  private readonly rateLimit: CancelReplaceRateLimit;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(private readonly o: TacticRunnerOptions) {
    this.rateLimit = new CancelReplaceRateLimit(o.settings.replaceRate);
    this.log = o.logger.child({ component: 'tactics' });
    this.market = new TacticMarket({ ...o, logger: this.log, tickMs: o.settings.tickMs });
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
    await this.market.close();
    await this.queue.catch(() => undefined);
  }

  /**
   * Starts a chase for `parent`; resolves once the chase is stored and its first step ran (with a
   * quote at hand, the first child is journaled by then), so the caller may ack the request. Resolves
   * false when the chase was stored before (a redelivery: nothing starts). Throws OMS_INVALID_TACTIC
   * for parameters it cannot work with, and the store's error when the chase could not be stored.
   */
  begin(parent: OrderRequest): Promise<boolean> {
    return this.serial(async () => {
      if (this.chases.has(parent.clientOrderId)) return false;
      const startedAt = this.o.clock.now();
      const chase = new LimitChase(this.paramsFor(parent, startedAt));
      if (!(await this.o.journal.begin(parent, startedAt))) return false;
      this.add(parent, chase);
      this.log.info({ clientOrderId: parent.clientOrderId, windowEndsAt: chase.windowEndsAt }, 'limit chase started');
      const quote = this.market.quote(parent.venueSymbol);
      if (quote !== undefined) {
        const farSide = await this.market.farSideFor(parent);
        await this.carryOut(parent.clientOrderId, chase, chase.onTick(this.o.clock.now(), quote, farSide));
      }
      return true;
    });
  }

  /**
   * Rebuilds a stored chase (start-up, after the restore and the outbox recovery, with every
   * journaled child of it in the tracker) and carries out what it must do at once. A chase whose
   * progress cannot be resumed is stopped and recorded so, never guessed at.
   */
  resume(stored: StoredTactic): Promise<void> {
    return this.serial(async () => {
      const { parent } = stored;
      const id = parent.clientOrderId;
      if (this.chases.has(id)) return;
      const progress: LimitChaseProgress = {
        children: stored.children.map((c) => ({
          clientOrderId: c.clientOrderId,
          role: c.role,
          placedAt: c.placedAt,
          cancelReason: c.cancelReason,
          order: this.o.ports.currentOrder(c.clientOrderId),
        })),
        nextChildSeq: stored.nextChildSeq,
        arrivalMid: stored.arrivalMid === undefined ? undefined : dec(stored.arrivalMid),
      };
      let resumed: { readonly chase: LimitChase; readonly step: TacticStep };
      try {
        resumed = LimitChase.resume(this.paramsFor(parent, stored.startedAt), progress, this.o.clock.now());
      } catch (err) {
        if (!isOrderManagerError(err)) throw err;
        this.log.error({ err, clientOrderId: id }, 'limit chase cannot be resumed; recorded as stopped');
        await this.o.journal.finish(id, 'stopped', `could not resume: ${err.message}`);
        this.o.metrics.tactics.inc({ outcome: 'stopped' });
        return;
      }
      const { chase, step } = resumed;
      this.add(parent, chase);
      const status = chase.status();
      this.log.info(
        {
          clientOrderId: id,
          phase: status.phase,
          child: status.childClientOrderId,
          replacements: status.replacements,
          filledQty: status.filledQty.toString(),
          windowEndsAt: chase.windowEndsAt,
        },
        'limit chase resumed',
      );
      await this.carryOut(id, chase, step);
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
        // The operator's word is recorded at once: should the process die before the child's cancel
        // is confirmed, the chase stays stopped instead of being resumed.
        await this.finishQuietly(id, 'stopped', `aborted: ${reason}`);
        await this.carryOut(id, chase, chase.abort(reason, { cancelSent: true }));
      }
    });
  }

  private paramsFor(parent: OrderRequest, startedAt: number): LimitChaseParams {
    const spec = this.o.registry.get(parent.instrument);
    if (spec === undefined) throw new Error(`instrument ${parent.instrument} is not listed by the venue`);
    const s = this.o.settings;
    return {
      parent,
      instrument: spec,
      startedAt,
      replaceIntervalMs: s.replaceIntervalMs,
      maxReplacements: s.maxReplacements,
      placement: s.placement,
      maxSpreadBps: dec(s.maxSpreadBps),
      childClientOrderId: (seq) => this.o.ports.childClientOrderId(parent, seq),
      rateLimit: this.rateLimit,
    };
  }

  private add(parent: OrderRequest, chase: LimitChase): void {
    this.chases.set(parent.clientOrderId, { chase, parent });
    this.market.watchQuotes(parent.venueSymbol, (venueSymbol) => void this.tick(venueSymbol));
  }

  private tick(venueSymbol?: string): Promise<void> {
    if (this.chases.size === 0) return Promise.resolve();
    return this.serial(async () => {
      for (const [id, { chase, parent }] of this.chases) {
        if (venueSymbol !== undefined && parent.venueSymbol !== venueSymbol) continue;
        const quote = this.market.quote(parent.venueSymbol);
        if (quote === undefined) continue;
        const farSide = await this.market.farSideFor(parent);
        await this.carryOut(id, chase, chase.onTick(this.o.clock.now(), quote, farSide));
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
    if (step.effects.length === 0) return;
    const run = () => this.carryOutEffects(parentId, chase, step);
    const inTrace = this.o.ports.inTrace;
    const parent = this.chases.get(parentId)?.parent;
    await (inTrace === undefined || parent === undefined
      ? run()
      : inTrace.call(
          this.o.ports,
          parent,
          step.effects.map((e) => e.kind),
          run,
        ));
  }

  private async carryOutEffects(parentId: string, chase: LimitChase, step: TacticStep): Promise<void> {
    for (const effect of step.effects) {
      try {
        switch (effect.kind) {
          case 'submit':
            // A child whose record failed is never submitted: an id is only ever used once it is stored.
            await this.o.journal.recordChild(parentId, childRecord(effect, chase));
            await this.afterSubmit(parentId, chase, effect.request, await this.o.ports.submit(effect.request));
            break;
          case 'cancel':
            await this.recordCancel(parentId, effect);
            await this.o.ports.cancel(effect.clientOrderId, effect.symbol);
            break;
          case 'done':
            this.chases.delete(parentId);
            await this.finishQuietly(parentId, effect.outcome, effect.reason);
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

  // A child refused before the tracker followed it never produces a tracker change, so nothing else
  // would tell the chase: it would wait for it forever, and a restart would place it again under an
  // id the outbox already holds. Followed as a rejected order, it reaches the chase like any other.
  private async afterSubmit(
    parentId: string,
    chase: LimitChase,
    request: OrderRequest,
    outcome: SubmissionOutcome,
  ): Promise<void> {
    if (outcome.kind !== 'refused' && outcome.kind !== 'rejected' && outcome.kind !== 'abandoned') return;
    if (this.o.ports.currentOrder(request.clientOrderId) !== undefined) return;
    const order = await this.o.ports.recordRefusal(request, outcome.reason);
    await this.carryOut(parentId, chase, chase.onOrderUpdate(order, this.o.clock.now()));
  }

  // A cancel whose reason could not be stored is still sent: leaving the child resting is worse, and
  // a resumed chase that does not know the reason only stops early (or takes the fallback after the
  // window), never places an order it should not.
  private async recordCancel(parentId: string, effect: Extract<TacticEffect, { kind: 'cancel' }>): Promise<void> {
    try {
      await this.o.journal.recordCancel(parentId, effect.clientOrderId, effect.reason);
    } catch (err) {
      this.log.error({ err, clientOrderId: parentId, child: effect.clientOrderId }, 'cancel reason not stored');
    }
  }

  private async finishQuietly(parentId: string, outcome: TacticOutcome, reason: string): Promise<void> {
    try {
      await this.o.journal.finish(parentId, outcome, reason);
    } catch (err) {
      // The row stays active: the next start resumes the chase from its children and ends it again.
      this.log.error({ err, clientOrderId: parentId, outcome }, 'limit chase outcome not stored');
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch((err: unknown) => this.log.error({ err }, 'tactic step failed'));
    return run;
  }
}

function childRecord(effect: Extract<TacticEffect, { kind: 'submit' }>, chase: LimitChase): TacticChildRecord {
  const mid = chase.status().arrivalMid;
  return {
    clientOrderId: effect.request.clientOrderId,
    role: effect.role,
    seq: effect.seq,
    placedAt: effect.request.createdAt,
    // The fallback's slippage reference, stored with the first child it was measured for.
    ...(effect.role === 'first' && mid !== undefined ? { arrivalMid: mid.toString() } : {}),
  };
}

function describeFallback(chase: LimitChase): string | undefined {
  const f = chase.status().fallback;
  if (f === undefined) return undefined;
  return f.allowed ? `taken at about ${f.estimatedPrice.toString()}` : `refused by ${f.guard}: ${f.reason}`;
}
