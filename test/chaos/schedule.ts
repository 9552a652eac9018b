// The fault schedule of a chaos run, drawn from a seed: the same seed gives the same schedule, so a
// failing run can be repeated. Pure: no clock, no I/O.

/** Every fault kind the run injects (issue 19, part 1). */
export const FAULT_KINDS = [
  'market-ws-drop',
  'user-data-drop',
  'lost-response-ws-api',
  'lost-response-rest',
  'user-data-duplicate',
  'user-data-reorder',
  'user-data-delay',
  'hidden-fills',
  'storm-5xx',
  'storm-429',
  'ban-418',
  'clock-skew',
  'kill-order-manager',
  'kill-order-manager-in-flight',
  'kill-reconciler',
  'kill-risk-gate',
  'kill-market-data',
  'kill-strategy-runner-1',
  'kill-strategy-runner-2',
  'restart-nats',
  'restart-postgres',
  'flush-redis',
  'silent-balance-change',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ScheduledFault {
  /** Sequence number in the schedule, from 1. */
  readonly n: number;
  readonly kind: FaultKind;
  /** When it starts, in ms after the storm begins. */
  readonly atMs: number;
  /** How long a windowed fault lasts, or how long a killed process stays down; 0 when instantaneous. */
  readonly durationMs: number;
  /** The fault's size: a burst count, a skew in ms, a probability, an amount. */
  readonly magnitude: number;
}

/** mulberry32: small, fast and good enough to draw a schedule; the same seed gives the same numbers. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class InvalidScheduleError extends Error {
  override readonly name = 'InvalidScheduleError';
  readonly code = 'CHAOS_INVALID_SCHEDULE';
  constructor(
    readonly value: unknown,
    message: string,
  ) {
    super(message);
  }
}

export interface ScheduleOptions {
  readonly seed: number;
  /** How many faults; at least one of each kind. */
  readonly count: number;
  /** The storm's length: faults start between 0 and this. */
  readonly stormMs: number;
  /** Kinds left out of this run (e.g. the silent balance change, whose halt only an operator lifts). */
  readonly without?: readonly FaultKind[];
}

function between(random: () => number, low: number, high: number): number {
  return Math.round(low + random() * (high - low));
}

function shape(kind: FaultKind, random: () => number): { durationMs: number; magnitude: number } {
  switch (kind) {
    case 'user-data-duplicate':
    case 'user-data-reorder':
      return { durationMs: between(random, 3_000, 8_000), magnitude: 0.3 + random() * 0.5 };
    case 'user-data-delay':
      return { durationMs: between(random, 3_000, 8_000), magnitude: between(random, 300, 3_000) };
    case 'hidden-fills':
      return { durationMs: between(random, 3_000, 10_000), magnitude: 0 };
    case 'storm-5xx':
    case 'storm-429':
      return { durationMs: 0, magnitude: between(random, 2, 8) };
    case 'ban-418':
      return { durationMs: between(random, 2_000, 6_000), magnitude: 0 };
    case 'clock-skew': {
      // Beyond the default recvWindow (5 s) either way.
      const size = between(random, 6_000, 15_000);
      return { durationMs: between(random, 3_000, 8_000), magnitude: random() < 0.5 ? -size : size };
    }
    case 'lost-response-ws-api':
    case 'lost-response-rest':
      return { durationMs: 0, magnitude: between(random, 1, 2) };
    case 'silent-balance-change':
      return { durationMs: 0, magnitude: between(random, 10, 50) };
    case 'restart-nats':
    case 'restart-postgres':
      return { durationMs: between(random, 500, 3_000), magnitude: 0 };
    case 'kill-order-manager':
    case 'kill-order-manager-in-flight':
    case 'kill-reconciler':
    case 'kill-risk-gate':
    case 'kill-market-data':
    case 'kill-strategy-runner-1':
    case 'kill-strategy-runner-2':
      return { durationMs: between(random, 200, 3_000), magnitude: 0 };
    case 'market-ws-drop':
    case 'user-data-drop':
    case 'flush-redis':
      return { durationMs: 0, magnitude: 0 };
  }
}

/**
 * A silent balance change is drift the platform must halt on (nothing it did explains it), and no
 * automatic step books it: it comes once, as the storm's last fault, so the halt does not hide what
 * the other faults do to a trading platform.
 */
const LAST: FaultKind = 'silent-balance-change';

/**
 * One of each kind first (shuffled), then kinds drawn at random until `count`; start times spread
 * evenly over the storm with jitter, so faults overlap now and then but do not pile up.
 */
export function faultSchedule(options: ScheduleOptions): ScheduledFault[] {
  const { seed, count, stormMs } = options;
  const without = new Set(options.without ?? []);
  const kept = FAULT_KINDS.filter((k) => !without.has(k));
  if (!Number.isInteger(seed) || seed < 0)
    throw new InvalidScheduleError(seed, `seed must be a whole number ≥ 0, got ${seed}`);
  if (kept.length === 0) throw new InvalidScheduleError([...without], 'every fault kind is left out');
  if (!Number.isInteger(count) || count < kept.length)
    throw new InvalidScheduleError(count, `count must be at least ${kept.length} (one of each kind), got ${count}`);
  if (!(stormMs > 0)) throw new InvalidScheduleError(stormMs, `stormMs must be positive, got ${stormMs}`);
  const random = seededRandom(seed);
  const last = kept.includes(LAST) ? [LAST] : [];
  const others = kept.filter((k) => k !== LAST);
  const kinds: FaultKind[] = [...others];
  for (let i = kinds.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as FaultKind, kinds[i] as FaultKind];
  }
  while (kinds.length < count - last.length) kinds.push(others[Math.floor(random() * others.length)] as FaultKind);
  kinds.push(...last);
  const slot = stormMs / count;
  return kinds.map((kind, i) => ({
    n: i + 1,
    kind,
    atMs: Math.round(i * slot + random() * slot * 0.8),
    ...shape(kind, random),
  }));
}
