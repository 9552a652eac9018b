// The pure half of the sharding protocol: given what one replica sees in the lease bucket, which
// units it should claim and which it should give back. The README has the protocol and its bounds.

export interface LeasePlanInput {
  /** This replica's id. */
  readonly me: string;
  /** Every unit (instrument) the configuration shares out. */
  readonly units: readonly string[];
  /** Units this replica holds now (its own lease, renewed, this session). */
  readonly mine: ReadonlySet<string>;
  /** Holder replica id of each unit held by someone else; units absent here and not mine are free. */
  readonly others: ReadonlyMap<string, string>;
  /** Replica ids with a live heartbeat, this one included. */
  readonly liveReplicas: readonly string[];
  /** Units that were free on the previous round already. */
  readonly freeLastRound: ReadonlySet<string>;
}

export interface LeasePlan {
  readonly claim: readonly string[];
  readonly release: readonly string[];
  /** ceil(units / live replicas): the most any replica should hold. */
  readonly fairShare: number;
  /** Units nobody holds right now. */
  readonly free: readonly string[];
}

/**
 * - Fair share is ceil(total / N), N = live replicas (heartbeat keys), at least 1.
 * - Above the fair share, a replica gives back the excess when some other live replica holds less
 *   than the fair share (someone can take it); at the fair share, the replica holding the most (ties:
 *   the smallest id) gives back one when another live replica holds less than floor(total / N) and no
 *   unit is free. These two rules converge to a split where counts differ by at most one.
 * - Below the fair share, a replica claims free units up to it (only up to floor(total / N) while
 *   another live replica holds less than that). A unit that stays free for two rounds
 *   is claimed by anyone, whatever the shares say: an instrument is never dropped because a replica
 *   count was briefly wrong.
 * A replica that gives back a unit does not claim any in the same round.
 */
export function planLeases(input: LeasePlanInput): LeasePlan {
  const live = new Set(input.liveReplicas);
  live.add(input.me);
  const n = live.size;
  const total = input.units.length;
  const fairShare = Math.ceil(total / n);
  const floorShare = Math.floor(total / n);
  const free = input.units.filter((u) => !input.mine.has(u) && !input.others.has(u));

  const counts = new Map<string, number>();
  for (const r of live) counts.set(r, 0);
  counts.set(input.me, input.mine.size);
  for (const holder of input.others.values()) {
    if (holder !== input.me && counts.has(holder)) counts.set(holder, (counts.get(holder) ?? 0) + 1);
  }
  const otherCounts = [...counts].filter(([r]) => r !== input.me).map(([, c]) => c);
  // Give back the units last in order, so the choice is stable from round to round.
  const mineSorted = [...input.mine].sort();

  if (input.mine.size > fairShare && otherCounts.some((c) => c < fairShare)) {
    return { claim: [], release: mineSorted.slice(fairShare), fairShare, free };
  }
  if (input.mine.size === fairShare && fairShare > floorShare && free.length === 0) {
    const starving = otherCounts.some((c) => c < floorShare);
    const donor = [...counts].sort(([ra, ca], [rb, cb]) => cb - ca || (ra < rb ? -1 : ra > rb ? 1 : 0))[0];
    if (starving && donor !== undefined && donor[0] === input.me && mineSorted.length > 0) {
      return { claim: [], release: mineSorted.slice(-1), fairShare, free };
    }
  }

  // While some replica holds less than floor(total / N), the others fill only up to that floor, so a
  // unit given back for the starving replica is not taken by one that already has enough.
  const starving = otherCounts.some((c) => c < floorShare);
  const want = Math.max(0, (starving ? floorShare : fairShare) - input.mine.size);
  // Start at a replica-specific offset so that replicas claiming at once mostly try different units.
  const offset = free.length === 0 ? 0 : hash(input.me) % free.length;
  const rotated = [...free.slice(offset), ...free.slice(0, offset)];
  const claim = rotated.slice(0, want);
  for (const u of rotated) if (input.freeLastRound.has(u) && !claim.includes(u)) claim.push(u);
  return { claim, release: [], fairShare, free };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}
