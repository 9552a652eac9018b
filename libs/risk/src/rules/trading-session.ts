import { WEEKDAYS, type SessionWindow } from '../limits/limits.js';
import { DAY_MS } from '../daily-pnl.js';
import type { RiskRule } from '../types.js';
import { failure } from './support.js';

// Trading windows in UTC. A window whose end is before its start crosses midnight and belongs to
// the day it starts on: FRI 22:00-02:00 covers Friday 23:00 and Saturday 01:00, not Friday 01:00.

function minutes(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** True when `now` (ms, UTC) falls in the window; `end` is exclusive. */
export function inWindow(window: SessionWindow, now: number): boolean {
  const start = minutes(window.start);
  const end = minutes(window.end);
  const minuteOfDay = Math.floor((now % DAY_MS) / 60_000);
  const today = WEEKDAYS[new Date(now).getUTCDay()]!;
  const yesterday = WEEKDAYS[new Date(now - DAY_MS).getUTCDay()]!;
  const allowed = (day: (typeof WEEKDAYS)[number]) => window.days === undefined || window.days.includes(day);
  if (start < end) return allowed(today) && minuteOfDay >= start && minuteOfDay < end;
  // Across midnight: the evening part starts today, the early-morning part started yesterday.
  return (allowed(today) && minuteOfDay >= start) || (allowed(yesterday) && minuteOfDay < end);
}

export const tradingSessionRule: RiskRule = (_intent, order, _state, limits, now) => {
  const sessions = limits.sessions;
  if (sessions === undefined || sessions.some((w) => inWindow(w, now))) return [];
  const list = sessions.map((w) => `${w.days?.join(',') ?? 'daily'} ${w.start}-${w.end}`).join('; ');
  return [
    failure(
      'trading-session',
      `${order.instrument} is outside its trading sessions at ${new Date(now).toISOString()} (UTC sessions: ${list || 'none'})`,
    ),
  ];
};
