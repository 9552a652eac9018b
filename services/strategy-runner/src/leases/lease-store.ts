import { z } from 'zod';
import { subjectToken, type Subjects } from '@bourse/contracts';

/** What a lease key holds: who holds the unit, under which process session. */
export const LeaseRecord = z.strictObject({
  v: z.literal(1),
  holder: z.string().min(1),
  /** Random per process start: a restarted replica with the same id does not inherit old leases. */
  session: z.string().min(1),
  /** Wall-clock times, for people reading the bucket; the protocol never compares them across hosts. */
  acquiredAt: z.number().int().nonnegative(),
  renewedAt: z.number().int().nonnegative(),
});
export type LeaseRecord = z.infer<typeof LeaseRecord>;

/** What a replica heartbeat key holds. */
export const ReplicaRecord = z.strictObject({
  v: z.literal(1),
  replica: z.string().min(1),
  session: z.string().min(1),
  holding: z.number().int().nonnegative(),
  at: z.number().int().nonnegative(),
});
export type ReplicaRecord = z.infer<typeof ReplicaRecord>;

/** A lease as read: its revision (for the next revision-checked write) and its value, if readable. */
export interface LeaseEntry {
  readonly revision: number;
  /** Undefined when the stored value is not a valid LeaseRecord: held by someone we cannot name. */
  readonly value: LeaseRecord | undefined;
}

/**
 * The lease bucket. Every key expires `ttlMs` after its last write (bucket max age, enforced by the
 * server, so no two replicas' clocks are ever compared). Writes are revision-checked: `create` only
 * succeeds on a free key, `update` only on the revision the caller holds.
 */
export interface LeaseStore {
  readonly bucket: string;
  readonly ttlMs: number;
  heartbeat(record: ReplicaRecord): Promise<void>;
  /** Replica ids with a heartbeat younger than the TTL. */
  liveReplicas(): Promise<string[]>;
  read(unit: string): Promise<LeaseEntry | null>;
  /** The new revision, or null when the key is held (someone else won). */
  create(unit: string, record: LeaseRecord): Promise<number | null>;
  /** The new revision, or null when the key moved on from `revision` (expired, or taken). */
  update(unit: string, record: LeaseRecord, revision: number): Promise<number | null>;
  /** Deletes the key if it is still at `revision`; a key that moved on is left alone. */
  release(unit: string, revision: number): Promise<void>;
  /** Removes this replica's heartbeat (clean stop). */
  leave(replica: string): Promise<void>;
}

/**
 * The lease bucket of a namespace. `@bourse/contracts` subjects name no lease bucket, so it is derived
 * here the way the contracts derive stream and trading-state names: `<NAMESPACE>_strategy_leases`,
 * or `strategy_leases` in production.
 */
export function leaseBucketName(subjects: Subjects): string {
  const s = subjects.prefix === '' ? '' : `${subjects.prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, '_')}_`;
  return `${s}strategy_leases`;
}

/**
 * The lease unit of a strategy that trades its instruments as one unit (issue 21 § 4): `unit.<strategy
 * id>`, one key for all its legs (a strategy id is KV-key safe, and no venue is called `unit`).
 */
export function unitLeaseUnit(strategyId: string): string {
  return `unit.${strategyId}`;
}

/** The lease unit of an instrument: `<venue>.<VENUESYMBOL>` (both subject-token safe). */
export function leaseUnit(venue: string, venueSymbol: string): string {
  return `${subjectToken('venue', venue)}.${subjectToken('venueSymbol', venueSymbol)}`;
}
