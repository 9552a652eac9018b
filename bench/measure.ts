// Timing loops for the micro-benchmarks (figures 5 and 7): a rate measured after a warm-up, the best
// of three runs. `floor()` is the cost of a trivial loop on this machine, kept as a sanity figure.

export interface BenchResult {
  name: string;
  /** Operations per second. */
  opsPerSec: number;
  /** Nanoseconds per operation. */
  nsPerOp: number;
  /** nsPerOp divided by the floor's nsPerOp: how many trivial loop iterations one operation costs. */
  floorRatio: number;
}

let floorNs: number | undefined;
let sink = 0;

function timeLoop(iterations: number, body: (i: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) body(i);
  return Number(process.hrtime.bigint() - start) / iterations;
}

/** ns per iteration of the trivial reference loop, measured once per process. */
export function floor(): number {
  if (floorNs === undefined) {
    const body = (i: number) => {
      sink = (sink + i) | 0;
    };
    timeLoop(1e6, body); // warm up
    floorNs = Math.min(timeLoop(5e6, body), timeLoop(5e6, body), timeLoop(5e6, body));
  }
  return floorNs;
}

/**
 * Runs `body` for about `targetMs`, after a warm-up, and reports its rate. `opsPerCall` says how
 * many operations one call performs (a batch), so per-operation figures stay honest.
 */
export function measure(
  name: string,
  body: (i: number) => void,
  opts: { targetMs?: number; opsPerCall?: number } = {},
): BenchResult {
  const targetMs = opts.targetMs ?? 500;
  const opsPerCall = opts.opsPerCall ?? 1;
  let calls = 1;
  // Grow the batch until one run takes at least a tenth of the target, then measure.
  while (timeLoop(calls, body) * calls < (targetMs * 1e6) / 10) calls *= 2;
  const runs = [timeLoop(calls, body), timeLoop(calls, body), timeLoop(calls, body)];
  const nsPerCall = Math.min(...runs);
  const nsPerOp = nsPerCall / opsPerCall;
  return { name, opsPerSec: 1e9 / nsPerOp, nsPerOp, floorRatio: nsPerOp / floor() };
}
