// The real processes a throughput or latency figure runs against, started the way the system tests
// start them (test/support/platform.ts: `bourse start`'s launch plan, a namespace, a database and a
// Redis prefix of their own, free ports), plus a bus client of the bench's own on that namespace.
// `close()` stops every process and removes the namespace and the database, whatever happened.
import { fileURLToPath } from 'node:url';
import { connectBus, type Bus } from '@bourse/bus';
import { TradingState, tradingStateKey } from '@bourse/contracts';
import { createLogger, createMetrics } from '@bourse/telemetry';
import { Platform, type PlatformOptions, type ServiceName } from '../../test/support/platform.js';

export interface BenchPlatform {
  readonly platform: Platform;
  readonly bus: Bus;
  close(): Promise<void>;
}

/** Starts `services` (the sim first when listed) and sets global trading ACTIVE. */
export async function startBenchPlatform(
  services: readonly ServiceName[],
  options: PlatformOptions = {},
): Promise<BenchPlatform> {
  const platform = await Platform.create(options);
  let bus: Bus | undefined;
  const close = async (): Promise<void> => {
    await bus?.drain().catch(() => undefined);
    await platform.close();
  };
  try {
    for (const s of services) await platform.start(s, 120_000);
    bus = await connectBus({
      service: 'bench',
      subjects: platform.subjects,
      logger: createLogger({ service: 'bench', level: 'silent' }),
      registry: createMetrics({ service: 'bench', defaultMetrics: false }).registry,
    });
    const states = await bus.tradingState({ name: 'TradingState', schema: TradingState });
    await states.put(tradingStateKey({ kind: 'global' }), {
      v: 1,
      scope: { kind: 'global' },
      mode: 'ACTIVE',
      reason: 'bench',
      setBy: 'bench',
      updatedAt: Date.now(),
    });
    return { platform, bus, close };
  } catch (error) {
    await close();
    throw error;
  }
}

const CPU_PROF_HOOK = fileURLToPath(new URL('./cpu-prof.mjs', import.meta.url));

/**
 * BENCH_CPU_PROF=<dir>: the named service writes a V8 CPU profile there when it stops
 * (bench/process/cpu-prof.mjs, loaded through NODE_OPTIONS, which refuses --cpu-prof itself).
 */
export function cpuProfileEnv(service: string): (s: string) => Record<string, string> {
  const dir = process.env.BENCH_CPU_PROF;
  return (s): Record<string, string> =>
    dir !== undefined && dir !== '' && s === service
      ? { NODE_OPTIONS: `--import ${CPU_PROF_HOOK}`, BENCH_CPU_PROF_DIR: dir }
      : {};
}

/** Every unlabelled sample of a Prometheus text page, summed over labels: name → value. */
export async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m === null) continue;
    const v = Number(m[2]);
    if (Number.isFinite(v)) out.set(m[1]!, (out.get(m[1]!) ?? 0) + v);
  }
  return out;
}

/** The labelled samples of a Prometheus text page whose name starts with `prefix`, as printed, non-zero ones only. */
export async function samples(url: string, prefix: string): Promise<string[]> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(prefix) && !/\s0$/.test(l))
    .map((l) => l.replace(/venue="binance",?/, ''));
}
