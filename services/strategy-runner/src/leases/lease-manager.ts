import type { Clock } from '../types.js';
import { planLeases } from './lease-plan.js';
import type { LeaseRecord, LeaseStore } from './lease-store.js';

export interface LeaseManagerOptions {
  readonly store: LeaseStore;
  /** This replica's id (pod name); one process at a time per id. */
  readonly replica: string;
  /** Random per process start. */
  readonly session: string;
  /** Every unit the configuration shares out. */
  readonly units: readonly string[];
  /** How often leases are renewed and the bucket is looked at. Well under the TTL (TTL/4 is good). */
  readonly renewIntervalMs: number;
  /**
   * A lease counts as ours until (send time of its last successful write) + TTL - margin. The margin
   * covers clock-rate drift between hosts and the time to stop evaluating and finish a publish.
   */
  readonly safetyMarginMs: number;
  /** Monotonic time for lease deadlines (never the wall clock, which can step). */
  readonly clock: Clock;
  /** Wall time, only for the human-readable fields of the records. */
  readonly wallClock: Clock;
  /** Called when a unit becomes ours. */
  readonly onAcquired: (unit: string) => void | Promise<void>;
  /** Called when a unit stops being ours; awaited before a lease is given back. */
  readonly onLost: (unit: string, reason: string) => void | Promise<void>;
  /** Called when a round fails (the bucket did not answer); the manager carries on. */
  readonly onError?: (err: unknown, during: string) => void;
}

interface Held {
  revision: number;
  /** Monotonic time after which the unit is no longer treated as ours. */
  deadline: number;
  acquiredAt: number;
}

/**
 * Runs this replica's side of the lease protocol: every `renewIntervalMs` it writes its heartbeat,
 * renews its leases with revision-checked updates, drops any it could not renew in time, then gives
 * back or claims units as `planLeases` says. A timer drops a lease at its deadline even when a round
 * is stuck on a slow server, so a replica never believes in a lease that may have expired.
 */
export class LeaseManager {
  private readonly held = new Map<string, Held>();
  private freeLastRound = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private running = false;
  private round: Promise<void> | undefined;
  private readonly ttlMs: number;

  constructor(private readonly options: LeaseManagerOptions) {
    this.ttlMs = options.store.ttlMs;
    if (options.safetyMarginMs <= 0 || options.renewIntervalMs + options.safetyMarginMs >= this.ttlMs) {
      throw new RangeError(
        `lease timing: renew interval (${options.renewIntervalMs} ms) + safety margin (${options.safetyMarginMs} ms) must be positive and below the TTL (${this.ttlMs} ms)`,
      );
    }
  }

  /** Worst-case time for the others to take over the units of a replica that died. */
  get takeoverBoundMs(): number {
    return this.ttlMs + this.options.renewIntervalMs;
  }

  /** True while `unit` is ours and its deadline has not passed. Check it right before acting. */
  holds(unit: string): boolean {
    const h = this.held.get(unit);
    return h !== undefined && this.options.clock.now() < h.deadline;
  }

  heldUnits(): string[] {
    return [...this.held.keys()].filter((u) => this.holds(u));
  }

  /** Runs the first round, then keeps going every renew interval. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.runRound();
    this.schedule();
  }

  /** Clean stop: no more rounds; every unit is dropped locally, then its lease deleted; heartbeat removed. */
  async stop(): Promise<void> {
    await this.halt();
    for (const [unit, h] of [...this.held]) {
      this.held.delete(unit);
      await this.options.onLost(unit, 'replica stopping');
      try {
        await this.options.store.release(unit, h.revision);
      } catch (err) {
        // The lease then expires after the TTL: slower, never unsafe.
        this.options.onError?.(err, `release ${unit}`);
      }
    }
    try {
      await this.options.store.leave(this.options.replica);
    } catch (err) {
      this.options.onError?.(err, 'leave');
    }
  }

  /** Stops renewing without giving anything back, as a crashed process would (for tests and drills). */
  async abandon(): Promise<void> {
    await this.halt();
    for (const unit of [...this.held.keys()]) {
      this.held.delete(unit);
      await this.options.onLost(unit, 'replica abandoned its leases');
    }
  }

  private async halt(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    await this.round;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.runRound().then(() => this.schedule());
    }, this.options.renewIntervalMs);
  }

  private runRound(): Promise<void> {
    this.round = this.roundOnce().catch((err: unknown) => this.options.onError?.(err, 'lease round'));
    return this.round;
  }

  private async roundOnce(): Promise<void> {
    const { store, replica, session } = this.options;
    await store.heartbeat({
      v: 1,
      replica,
      session,
      holding: this.held.size,
      at: this.options.wallClock.now(),
    });
    await this.renewAll();
    await this.dropExpired();
    if (!this.running) return;

    const live = await store.liveReplicas();
    const others = new Map<string, string>();
    for (const unit of this.options.units) {
      if (this.held.has(unit)) continue;
      const entry = await store.read(unit);
      if (entry === null) continue;
      if (entry.value?.holder === replica && entry.value.session === session) {
        // Ours in the bucket but dropped here (a renewal landed after its deadline passed): give it
        // back rather than block the unit until the TTL runs out.
        await store.release(unit, entry.revision);
        continue;
      }
      others.set(unit, entry.value?.holder ?? '(unreadable)');
    }
    const plan = planLeases({
      me: replica,
      units: this.options.units,
      mine: new Set(this.held.keys()),
      others,
      liveReplicas: live,
      freeLastRound: this.freeLastRound,
    });
    this.freeLastRound = new Set(plan.free);

    for (const unit of plan.release) {
      const h = this.held.get(unit);
      if (h === undefined) continue;
      // Stop evaluating first, then let go: the next holder can only start after the delete.
      this.held.delete(unit);
      await this.options.onLost(unit, `rebalancing to ${plan.fairShare} per replica`);
      await store.release(unit, h.revision);
    }
    for (const unit of plan.claim) {
      if (!this.running) return;
      const sentAt = this.options.clock.now();
      const now = this.options.wallClock.now();
      const revision = await store.create(unit, this.record(now, now));
      if (revision === null) continue;
      this.held.set(unit, { revision, deadline: sentAt + this.ttlMs - this.options.safetyMarginMs, acquiredAt: now });
      this.freeLastRound.delete(unit);
      await this.options.onAcquired(unit);
    }
    this.armDeadlineTimer();
  }

  private async renewAll(): Promise<void> {
    for (const [unit, h] of [...this.held]) {
      const sentAt = this.options.clock.now();
      let revision: number | null;
      try {
        revision = await this.options.store.update(
          unit,
          this.record(h.acquiredAt, this.options.wallClock.now()),
          h.revision,
        );
      } catch (err) {
        // Unknown outcome: the deadline is not extended; the next round tries again.
        this.options.onError?.(err, `renew ${unit}`);
        continue;
      }
      if (revision !== null) {
        h.revision = revision;
        h.deadline = sentAt + this.ttlMs - this.options.safetyMarginMs;
        continue;
      }
      const current = await this.options.store.read(unit);
      if (current?.value?.holder === this.options.replica && current.value.session === this.options.session) {
        // An earlier renewal whose answer was lost did land: adopt its revision, keep the old deadline.
        h.revision = current.revision;
        continue;
      }
      this.held.delete(unit);
      const who = current === null ? 'it expired' : `now held by ${current.value?.holder ?? 'someone else'}`;
      await this.options.onLost(unit, `renewal refused: ${who}`);
    }
  }

  private async dropExpired(): Promise<void> {
    const now = this.options.clock.now();
    for (const [unit, h] of [...this.held]) {
      if (now < h.deadline) continue;
      this.held.delete(unit);
      await this.options.onLost(unit, 'lease deadline passed without a renewal');
    }
  }

  private armDeadlineTimer(): void {
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    if (!this.running || this.held.size === 0) return;
    const earliest = Math.min(...[...this.held.values()].map((h) => h.deadline));
    this.deadlineTimer = setTimeout(
      () => {
        void this.dropExpired()
          .catch((err: unknown) => this.options.onError?.(err, 'deadline check'))
          .then(() => this.armDeadlineTimer());
      },
      Math.max(0, earliest - this.options.clock.now()),
    );
  }

  private record(acquiredAt: number, renewedAt: number): LeaseRecord {
    return { v: 1, holder: this.options.replica, session: this.options.session, acquiredAt, renewedAt };
  }
}
