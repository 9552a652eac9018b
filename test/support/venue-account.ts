// What a system test compares at the end: the venue's account (trades, balances) against what the
// order manager stored (fills, balances, positions), read the same way whatever the scenario.
import type { TestDatabase } from '@bourse/store/testing';
import type { BinanceVenueClient } from '@bourse/venue-binance';

type Pool = TestDatabase['pool'];

/** The venue's trades of our account on these instruments, as the OMS keys fills. */
export async function venueTradeIds(venue: BinanceVenueClient, instruments: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const instrument of instruments) {
    for (const trade of await venue.trades({ symbol: instrument as never, startTime: 0, limit: 1000 }))
      ids.push(trade.venueFillId);
  }
  return ids.sort();
}

export async function storedFillIds(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>('SELECT venue_fill_id AS id FROM fills');
  return rows.map((r) => r.id).sort();
}

/** Per asset `free+locked`, same numbers whatever trailing zeros each side writes; empty assets left out. */
function normalised(balances: readonly { asset: string; free: string; locked: string }[]): Record<string, string> {
  const strip = (x: string) => (x.includes('.') ? x.replace(/0+$/, '').replace(/\.$/, '') : x);
  const out: Record<string, string> = {};
  for (const b of balances) {
    if (Number(b.free) === 0 && Number(b.locked) === 0) continue;
    out[b.asset] = `${strip(b.free)}+${strip(b.locked)}`;
  }
  return out;
}

export async function venueBalances(venue: BinanceVenueClient): Promise<Record<string, string>> {
  return normalised(await venue.balances());
}

export async function storedBalances(pool: Pool): Promise<Record<string, string>> {
  const { rows } = await pool.query<{ asset: string; free: string; locked: string }>(
    'SELECT asset, free::text, locked::text FROM balances',
  );
  return normalised(rows);
}

/**
 * Per base asset, what the strategies hold (positions table) less the fees paid in that asset, and
 * what the account gained since it started with `start`: equal when every venue trade is booked.
 */
export async function positionsAgainstVenue(
  pool: Pool,
  venue: BinanceVenueClient,
  start: Readonly<Record<string, string>>,
  instruments: readonly string[],
): Promise<{ base: string; held: string; gained: string }[]> {
  const balances = await venue.balances();
  const out: { base: string; held: string; gained: string }[] = [];
  for (const instrument of instruments) {
    const base = instrument.split('/')[0] as string;
    const { rows } = await pool.query<{ held: string | null; fees: string | null }>(
      `SELECT (SELECT sum(qty) FROM positions WHERE instrument = $1)::text AS held,
              (SELECT sum(fee) FROM fills WHERE instrument = $1 AND fee_asset = $2)::text AS fees`,
      [instrument, base],
    );
    const held = Number(rows[0]?.held ?? 0) - Number(rows[0]?.fees ?? 0);
    const balance = balances.find((b) => b.asset === base);
    const gained = Number(balance?.free ?? 0) + Number(balance?.locked ?? 0) - Number(start[base] ?? 0);
    // Sums of exact decimals of a few places: compared at a precision far below one step.
    out.push({ base, held: held.toFixed(8), gained: gained.toFixed(8) });
  }
  return out;
}
