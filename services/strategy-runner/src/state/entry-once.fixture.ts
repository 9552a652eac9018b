import { defineStrategy, type StrategyDefinition } from '@bourse/strategy';
import { z } from 'zod';

// A strategy whose position intent lives only in its own state, for the state process test: it enters
// once (a BUY; state `phase: in`), counts the closed bars it holds, and exits (a reduce-only SELL)
// after `hold` of them. No OMS runs in that test, so the runner's position stays flat: a runner that
// lost this state would enter again and never exit.
export const entryOnce = defineStrategy({
  name: 'entry-once',
  version: '1.0.0',
  params: z.strictObject({ hold: z.number().int().min(1), qty: z.string().default('0.01') }),
  timeframes: ['1s'],
  evaluation: { mode: 'event', throttleMs: 0 },
  create: (p) => ({
    onBar(bar, ctx) {
      const s = ctx.state;
      const draft = (side: 'BUY' | 'SELL', held: string) => ({
        instrument: bar.symbol,
        side,
        qty: p.qty,
        style: 'market' as const,
        ...(side === 'SELL' ? { reduceOnly: true } : {}),
        inputs: { held, barTime: String(bar.openTime) },
      });
      if (s.phase === undefined) return { intents: [draft('BUY', '0')], state: { phase: 'in', held: '0' } };
      if (s.phase !== 'in') return [];
      const held = Number(s.held) + 1;
      if (held >= p.hold)
        return { intents: [draft('SELL', String(held))], state: { phase: 'out', held: String(held) } };
      return { intents: [], state: { phase: 'in', held: String(held) } };
    },
  }),
}) as StrategyDefinition;
