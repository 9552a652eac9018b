import { RowFault } from './fields.js';

// Timestamps in data files come as ISO 8601 text or as epoch numbers. Epoch units are told apart by
// magnitude: below 1e11 the value is seconds (1e11 s is the year 5138), from 1e11 up to 1e14 it is
// milliseconds (1e11 ms is 1973-03-03, so millisecond data before that date would be misread). Larger
// values are micro- or nanoseconds, which we reject rather than silently truncate.

/** Epoch values below this are seconds. */
export const EPOCH_SECONDS_BELOW = 1e11;
/** Epoch values from EPOCH_SECONDS_BELOW up to this are milliseconds; above it we refuse. */
export const EPOCH_MILLIS_BELOW = 1e14;

const EPOCH = /^(\d+)(?:\.(\d+))?$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Parses a timestamp to epoch milliseconds (UTC). Accepts ISO dates (`2004-08-19`, taken as 00:00 UTC),
 * ISO date-times with `T` or a space, optional fraction and zone (`Z`, `+02:00`, `+0200`, `+02`; none
 * means UTC), and epoch seconds or milliseconds (see EPOCH_SECONDS_BELOW). Throws RowFault otherwise.
 */
export function parseTimestamp(field: string, raw: string | undefined): number {
  if (raw === undefined || raw === '') throw new RowFault(field, 'is missing');
  const epoch = EPOCH.exec(raw);
  if (epoch !== null) return parseEpoch(field, raw, epoch[1]!, epoch[2]);
  const iso = ISO.exec(raw);
  if (iso !== null) return parseIso(field, raw, iso);
  throw new RowFault(
    field,
    `${JSON.stringify(raw)} is neither an ISO 8601 date-time nor epoch seconds or milliseconds`,
  );
}

function parseEpoch(field: string, raw: string, whole: string, fraction: string | undefined): number {
  const value = Number(whole);
  if (value < EPOCH_SECONDS_BELOW) {
    // Seconds: keep whole milliseconds; a finer fraction would be invented precision downstream.
    if (fraction !== undefined && fraction.length > 3 && !/^0*$/.test(fraction.slice(3))) {
      throw new RowFault(field, `${raw} has a fraction finer than a millisecond`);
    }
    const ms = Number((fraction ?? '').slice(0, 3).padEnd(3, '0'));
    return value * 1000 + ms;
  }
  if (value < EPOCH_MILLIS_BELOW) {
    if (fraction !== undefined && !/^0*$/.test(fraction)) {
      throw new RowFault(field, `${raw} has a fraction of a millisecond`);
    }
    return value;
  }
  throw new RowFault(field, `${raw} looks like micro- or nanoseconds; convert it to milliseconds or seconds`);
}

function parseIso(field: string, raw: string, m: RegExpExecArray): number {
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) {
    throw new RowFault(field, `${JSON.stringify(raw)} is not a valid date-time`);
  }
  const ms = Number(frac.slice(0, 3).padEnd(3, '0'));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 2023-02-30 over into March; a file with that date is wrong, not early March.
  if (new Date(local).getUTCDate() !== day) {
    throw new RowFault(field, `${JSON.stringify(raw)} is not a valid date`);
  }
  return local - zoneOffsetMs(zone);
}

function zoneOffsetMs(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}
