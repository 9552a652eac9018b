import fc from 'fast-check';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS, assertPrototypeClean, hostileString } from '@bourse/contracts/testing';
import { registerBacktestCommand } from './backtest/command.js';
import { parseParamArg } from './backtest/param-grid.js';
import { isCliError } from './errors.js';
import { scopeFrom } from './operator/scope.js';
import { registerReplayCommand } from './replay/command.js';
import { registerOperatorCommands } from './operator/register.js';

// Hostile command lines for `bourse`: every flag value is parsed or refused as a usage error,
// never a crash. A hook stops each command before its action, so nothing reaches a server.

class Parsed extends Error {}

function program(): Command {
  const p = new Command('bourse').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  registerOperatorCommands(p);
  registerBacktestCommand(p);
  registerReplayCommand(p);
  p.hook('preAction', () => {
    throw new Parsed();
  });
  return p;
}

const commands = program().commands;
const names = commands.map((c) => c.name());

const argv: fc.Arbitrary<string[]> = fc.constantFrom(...names).chain((name) => {
  const cmd = commands.find((c) => c.name() === name);
  const flags = (cmd?.options ?? []).map((o) => o.long ?? o.short ?? '--x');
  const subs = (cmd?.commands ?? []).map((c) => c.name());
  const token = fc.oneof(
    { weight: 3, arbitrary: flags.length > 0 ? fc.constantFrom(...flags) : hostileString },
    { weight: 3, arbitrary: hostileString },
    { weight: 1, arbitrary: subs.length > 0 ? fc.constantFrom(...subs) : fc.constant('--help') },
    { weight: 1, arbitrary: fc.constantFrom('--', '-', '--=', '--no-x', '-abc') },
  );
  return fc.array(token, { maxLength: 8 }).map((rest) => [name, ...rest]);
});

describe('bourse flags under hostile command lines', () => {
  it('parse, or are refused as a usage error, never with a crash', async () => {
    let parsed = 0;
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        try {
          await program().parseAsync(args, { from: 'user' });
        } catch (err) {
          // Parsed: every flag was accepted and the action would run; the other two are usage errors.
          if (err instanceof Parsed) parsed += 1;
          const fine = err instanceof Parsed || err instanceof CommanderError || isCliError(err);
          expect(fine, `${args.join(' ').slice(0, 200)}: ${String(err)}`).toBe(true);
        }
        assertPrototypeClean();
      }),
      { numRuns: FUZZ_RUNS },
    );
    // Some command lines get through to the action: the flags were really parsed, not all refused.
    expect(parsed).toBeGreaterThan(0);
  });

  it('--instrument/--strategy: a scope, or a usage error naming the value', () => {
    fc.assert(
      fc.property(
        fc.option(hostileString, { nil: undefined }),
        fc.option(hostileString, { nil: undefined }),
        (instrument, strategy) => {
          try {
            scopeFrom({ instrument, strategy });
          } catch (err) {
            expect(isCliError(err), String(err)).toBe(true);
            expect(err instanceof Error && err.message.length > 0).toBe(true);
          }
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('--param: an axis, or a usage error', () => {
    const arg = fc.oneof(
      hostileString,
      fc.tuple(hostileString, hostileString).map(([k, v]) => `${k}=${v}`),
      fc.tuple(hostileString, fc.array(hostileString, { maxLength: 4 })).map(([k, vs]) => `${k}=${vs.join(',')}`),
      fc.constantFrom('n=1..1000000000', 'n=1e9', 'n=1..5..0', 'n=-5..5..-1', '__proto__=1', 'constructor=1,2'),
    );
    fc.assert(
      fc.property(arg, (a) => {
        try {
          parseParamArg(a);
        } catch (err) {
          expect(isCliError(err) || err instanceof CommanderError, String(err)).toBe(true);
        }
        assertPrototypeClean();
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
