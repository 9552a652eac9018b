// The market-data gateway's Redis snapshots (`<prefix><venue>:<SYMBOL>`, one MarketSnapshot each):
// what `bourse quotes` prints and where `status` takes its marks from. A document that breaks the
// contract is shown as invalid rather than failing the whole listing.
import { MarketSnapshot } from '@bourse/contracts';
import { dec } from '@bourse/domain';
import { CommandFailedError } from '../errors.js';
import { maskUrl } from '@bourse/servers';
import { marketSnapshotPrefix } from '../platform/platform-config.js';
import type { OperatorContext } from './context.js';
import { describe } from './format.js';

export interface SnapshotEntry {
  readonly key: string;
  readonly snapshot?: MarketSnapshot;
  readonly invalid?: string;
}

export async function readSnapshots(ctx: OperatorContext): Promise<SnapshotEntry[]> {
  const prefix = marketSnapshotPrefix(ctx.config);
  try {
    const redis = await ctx.redis();
    const keys: string[] = [];
    let cursor = '0';
    do {
      // SCAN, not KEYS: it never blocks a Redis other services share.
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 200);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    keys.sort();
    const values = keys.length === 0 ? [] : await redis.mget(...keys);
    const entries: SnapshotEntry[] = [];
    keys.forEach((key, i) => {
      const text = values[i];
      if (text === null || text === undefined) return; // expired between SCAN and MGET
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        entries.push({ key, invalid: 'not JSON' });
        return;
      }
      const parsed = MarketSnapshot.safeParse(raw);
      entries.push(
        parsed.success
          ? { key, snapshot: parsed.data }
          : { key, invalid: `${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}` },
      );
    });
    return entries;
  } catch (err) {
    throw new CommandFailedError(
      'Redis',
      `cannot read market snapshots from ${maskUrl(ctx.config.servers.redis)}: ${describe(err)}`,
      {
        cause: err,
      },
    );
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * The price a position is valued at: the mid of the top of book, else the last trade. Undefined
 * when the snapshot has neither (a feed still starting).
 */
export function markOf(snapshot: MarketSnapshot): string | undefined {
  const top = snapshot.top;
  if (top !== null && dec(top.bidPrice).isPositive() && dec(top.askPrice).isPositive()) {
    // Halving adds at most one decimal place, so 12 places is exact for any tick.
    return dec(top.bidPrice).plus(dec(top.askPrice)).div(dec(2), 12).normalize().toString();
  }
  return snapshot.lastTrade?.price;
}

/** Marks by internal instrument symbol (`BTC/USDT`), as positions name them. */
export function marksByInstrument(
  entries: readonly SnapshotEntry[],
): Map<string, { mark: string; receivedAt?: number }> {
  const marks = new Map<string, { mark: string; receivedAt?: number }>();
  for (const e of entries) {
    if (e.snapshot === undefined) continue;
    const mark = markOf(e.snapshot);
    if (mark === undefined) continue;
    marks.set(e.snapshot.instrument, {
      mark,
      ...(e.snapshot.receivedAt !== undefined ? { receivedAt: e.snapshot.receivedAt } : {}),
    });
  }
  return marks;
}
