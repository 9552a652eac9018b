// `bourse kill`, `bourse resume` and reading the trading-state bucket. Writing HALTED or ACTIVE is
// the operator's act: it goes to the KV bucket every service watches (DESIGN principle 8), with the
// operator's name and reason, and to the audit log.
import { TradingState, tradingStateKey, type TradingStateScope } from '@bourse/contracts';
import { Kvm } from '@nats-io/kv';
import { CommandFailedError } from '../errors.js';
import { audited } from './audit.js';
import type { OperatorContext } from './context.js';
import { describe, formatAge, formatJson, formatTable } from './format.js';
import { requestCancelAll, formatCancelResult, type CancelAllOutcome } from './oms.js';
import { describeScope } from './scope.js';

const TradingStateContract = { name: 'TradingState', schema: TradingState };

export interface SetStateOptions {
  readonly scope: TradingStateScope;
  readonly mode: TradingState['mode'];
  readonly reason: string;
}

/** Writes the state and logs who did it; returns what was written and its KV revision. */
export async function setTradingState(
  ctx: OperatorContext,
  options: SetStateOptions,
): Promise<{ state: TradingState; revision: number }> {
  const state: TradingState = {
    v: 1,
    scope: options.scope,
    mode: options.mode,
    reason: options.reason,
    setBy: ctx.operator,
    updatedAt: ctx.now(),
  };
  const write = async (): Promise<number> => {
    try {
      const bus = await ctx.bus();
      const kv = await bus.tradingState(TradingStateContract);
      return await kv.put(tradingStateKey(options.scope), state);
    } catch (err) {
      // NATS not reachable at all: that error already names the server and why.
      if (err instanceof CommandFailedError && err.what === 'NATS') throw err;
      throw new CommandFailedError(
        'trading state',
        `could not write ${options.mode} for ${describeScope(options.scope)} at ${ctx.config.servers.nats}: ${describe(err)}`,
        { cause: err },
      );
    }
  };
  // Recorded before it is written; a halt goes ahead even when the record cannot be written.
  const revision = await audited(
    ctx,
    {
      action: options.mode === 'HALTED' ? 'kill' : 'resume',
      target: describeScope(options.scope),
      reason: options.reason,
      detail: { mode: options.mode },
    },
    write,
    { reducesRisk: options.mode === 'HALTED', outcomeOf: (r) => ({ outcome: 'done', detail: `revision ${r}` }) },
  );
  ctx.audit.info(
    { operator: ctx.operator, scope: options.scope, mode: options.mode, reason: options.reason, revision },
    `operator ${ctx.operator} set ${describeScope(options.scope)} ${options.mode}: ${options.reason}`,
  );
  return { state, revision };
}

export interface KillOptions {
  readonly scope: TradingStateScope;
  readonly reason: string;
  readonly cancelAll: boolean;
  readonly json: boolean;
  readonly timeoutMs: number;
}

export async function runKill(ctx: OperatorContext, options: KillOptions): Promise<number> {
  const { state, revision } = await setTradingState(ctx, {
    scope: options.scope,
    mode: 'HALTED',
    reason: options.reason,
  });
  let cancel: CancelAllOutcome | undefined;
  if (options.cancelAll) cancel = await requestCancelAll(ctx, options.scope, options.timeoutMs);
  if (options.json) {
    ctx.out(formatJson({ state, revision, ...(cancel !== undefined ? { cancelAll: cancel } : {}) }));
  } else {
    ctx.out(`HALTED ${describeScope(options.scope)} (by ${state.setBy}: ${state.reason})`);
    if (cancel !== undefined) for (const line of formatCancelResult(cancel)) ctx.out(line);
  }
  // Halting worked even when the cancel did not; the exit code says the whole ask was not met.
  return cancel !== undefined && !cancel.ok ? 1 : 0;
}

export interface ResumeOptions {
  readonly scope: TradingStateScope;
  readonly reason: string;
  readonly json: boolean;
  /** Every scope that is not ACTIVE (and global), not only `scope`. */
  readonly all?: boolean;
}

/**
 * Writes ACTIVE for the scope (with `all`, for global and every scope not ACTIVE), then names each
 * scope that stays HALTED or REDUCING: a global resume does not undo a strategy's or an
 * instrument's kill, and the operator must not be left believing it did.
 */
export async function runResume(ctx: OperatorContext, options: ResumeOptions): Promise<number> {
  const before = options.all === true ? await readTradingStates(ctx) : [];
  const scopes: TradingStateScope[] =
    options.all === true ? [{ kind: 'global' }, ...notActive(before, 'global').map((e) => e.scope)] : [options.scope];
  const written: Array<{ state: TradingState; revision: number }> = [];
  for (const scope of scopes)
    written.push(await setTradingState(ctx, { scope, mode: 'ACTIVE', reason: options.reason }));

  let staying: Array<{ key: string; scope: TradingStateScope; state: TradingState }>;
  try {
    staying = notActive(await readTradingStates(ctx), ...written.map((w) => tradingStateKey(w.state.scope)));
  } catch (err) {
    for (const w of written) ctx.out(`ACTIVE ${describeScope(w.state.scope)} (by ${w.state.setBy}: ${w.state.reason})`);
    ctx.out(`could not read the other scopes to say which stay halted: ${describe(err)}`);
    return 1;
  }
  if (options.json) {
    ctx.out(
      formatJson({
        ...(options.all === true ? { resumed: written } : (written[0] as object)),
        stillNotActive: staying.map((s) => s.state),
      }),
    );
    return 0;
  }
  for (const w of written) ctx.out(`ACTIVE ${describeScope(w.state.scope)} (by ${w.state.setBy}: ${w.state.reason})`);
  for (const s of staying) {
    ctx.out(
      `${describeScope(s.scope)} stays ${s.state.mode} (by ${s.state.setBy}, ${formatAge(ctx.now() - s.state.updatedAt)} ago: ${s.state.reason}); resume it: bourse resume ${scopeFlags(s.scope)}--reason <why>`,
    );
  }
  if (staying.length > 0) ctx.out('or resume every scope at once: bourse resume --all --reason <why>');
  return 0;
}

/** Entries whose state is valid and not ACTIVE, except the given keys. */
function notActive(
  entries: readonly StateEntry[],
  ...except: string[]
): Array<{ key: string; scope: TradingStateScope; state: TradingState }> {
  const out: Array<{ key: string; scope: TradingStateScope; state: TradingState }> = [];
  for (const e of entries) {
    if (e.state === undefined || e.state.mode === 'ACTIVE' || except.includes(e.key)) continue;
    out.push({ key: e.key, scope: e.state.scope, state: e.state });
  }
  return out;
}

/** The flags that name a scope on the command line (with a trailing space), none for global. */
function scopeFlags(scope: TradingStateScope): string {
  switch (scope.kind) {
    case 'global':
      return '';
    case 'instrument':
      return `--instrument ${scope.symbol} `;
    case 'strategy':
      return `--strategy ${scope.strategyId} `;
  }
}

export interface StateEntry {
  readonly key: string;
  readonly state?: TradingState;
  /** Set when the stored value breaks the contract. */
  readonly invalid?: string;
}

/** Every entry of the trading-state bucket; empty when the bucket does not exist yet. */
export async function readTradingStates(ctx: OperatorContext): Promise<StateEntry[]> {
  const nc = await ctx.nats();
  const kvm = new Kvm(nc);
  let kv;
  try {
    kv = await kvm.open(ctx.subjects.tradingStateBucket);
    await kv.status();
  } catch {
    return []; // no bucket: nobody has written a state yet (the services count that as HALTED)
  }
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  keys.sort();
  const entries: StateEntry[] = [];
  for (const key of keys) {
    const entry = await kv.get(key);
    if (entry === null || entry.operation !== 'PUT') continue;
    const parsed = TradingState.safeParse(safeJson(entry.string()));
    entries.push(
      parsed.success ? { key, state: parsed.data } : { key, invalid: parsed.error.issues[0]?.message ?? 'invalid' },
    );
  }
  return entries;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function formatTradingStates(entries: readonly StateEntry[], now: number): string[] {
  if (!entries.some((e) => e.key === 'global')) {
    entries = [{ key: 'global' }, ...entries];
  }
  return formatTable(
    ['SCOPE', 'MODE', 'SINCE', 'BY', 'REASON'],
    entries.map((e) =>
      e.state !== undefined
        ? [e.key, e.state.mode, formatAge(now - e.state.updatedAt), e.state.setBy, e.state.reason]
        : e.invalid !== undefined
          ? [e.key, 'INVALID', '-', '-', e.invalid]
          : [e.key, 'unset', '-', '-', 'no entry: services treat trading as HALTED'],
    ),
  );
}
