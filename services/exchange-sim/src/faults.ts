// Fault injection: what can go wrong between a client and a venue, switchable at start (--faults)
// and at run time (PUT /admin/faults). Bursts are counts so tests are deterministic; stream
// perturbations are probabilities drawn from the sim's seeded random source.

import { z } from 'zod';

export const FaultSpec = z
  .object({
    /** Every market-stream event is held this long before it is sent (order kept). */
    streamDelayMs: z.number().int().min(0).max(60_000).default(0),
    /** Chance that a stream event is held back and sent after the next one. */
    streamReorderProbability: z.number().min(0).max(1).default(0),
    /** Chance that a stream event is sent twice. */
    streamDuplicateProbability: z.number().min(0).max(1).default(0),
    /** Drop every WebSocket connection (streams and WS-API) this often; 0 = never. */
    dropWsEveryMs: z.number().int().min(0).default(0),
    /** The next N accepted orders (REST or WS-API) get no response: the connection is cut or the reply swallowed. */
    dropResponses: z.number().int().min(0).default(0),
    /** The next N REST requests are answered 503 without being processed. */
    serverErrors: z.number().int().min(0).default(0),
    /**
     * When set, the 5xx burst hits only REST requests to this path (e.g. `/api/v3/time`, the clock
     * sync a client runs before signing again); others pass and do not use up the burst.
     */
    serverErrorsPath: z
      .string()
      .regex(/^\/[A-Za-z0-9/_.-]{0,127}$/, { message: 'must be a REST path such as /api/v3/time' })
      .optional(),
    /** The next N REST requests are answered 429 (-1003) with Retry-After. */
    tooManyRequests: z.number().int().min(0).default(0),
    /** Server clock minus real clock, in ms: shifts serverTime, transactTime and recvWindow checks. */
    clockSkewMs: z.number().int().min(-86_400_000).max(86_400_000).default(0),
    /** End user data subscriptions (eventStreamTerminated / listenKeyExpired) this often; 0 = never. */
    expireUserDataEveryMs: z.number().int().min(0).default(0),
    /**
     * For this long after the spec is set (at start, PUT, or a PATCH naming this field), executions
     * (executionReport with x=TRADE) and the account positions they move are withheld from the user
     * data stream, and never sent later: a client sees its fills only through REST / WS-API queries
     * (order status, myTrades, account). 0 = off.
     */
    hideUserFillsMs: z.number().int().min(0).max(86_400_000).default(0),
    /** Every user-data event (execution reports, account positions) is held this long before it is sent (order kept). */
    userDataDelayMs: z.number().int().min(0).max(60_000).default(0),
    /** Chance that a user-data event is held back and sent after the next one on its subscription. */
    userDataReorderProbability: z.number().min(0).max(1).default(0),
    /** Chance that a user-data event is sent twice. */
    userDataDuplicateProbability: z.number().min(0).max(1).default(0),
    /** Like dropResponses, for orders placed over REST only. */
    dropRestResponses: z.number().int().min(0).default(0),
    /** Like dropResponses, for orders placed over the WebSocket API only. */
    dropWsApiResponses: z.number().int().min(0).default(0),
    /**
     * For this long after the spec is set (or a PATCH naming this field), every REST request is
     * refused with 418 (-1003, IP banned) and Retry-After, as Binance bans an IP. 0 = off.
     */
    banMs: z.number().int().min(0).max(86_400_000).default(0),
  })
  .strict();
export type FaultSpec = z.infer<typeof FaultSpec>;
export type FaultSpecInput = z.input<typeof FaultSpec>;

export const NO_FAULTS: FaultSpec = FaultSpec.parse({});

export class InvalidFaultSpecError extends Error {
  override readonly name = 'InvalidFaultSpecError';
  readonly code = 'INVALID_FAULT_SPEC';
  constructor(
    readonly value: unknown,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Spec-string keys and the field each sets. */
const KEYS: Record<string, keyof FaultSpec> = {
  delay: 'streamDelayMs',
  reorder: 'streamReorderProbability',
  duplicate: 'streamDuplicateProbability',
  'drop-ws': 'dropWsEveryMs',
  'drop-response': 'dropResponses',
  '5xx': 'serverErrors',
  '5xx-path': 'serverErrorsPath',
  '429': 'tooManyRequests',
  skew: 'clockSkewMs',
  'expire-user-data': 'expireUserDataEveryMs',
  'hide-user-fills': 'hideUserFillsMs',
  'user-delay': 'userDataDelayMs',
  'user-reorder': 'userDataReorderProbability',
  'user-duplicate': 'userDataDuplicateProbability',
  'drop-rest-response': 'dropRestResponses',
  'drop-ws-api-response': 'dropWsApiResponses',
  ban: 'banMs',
};

/**
 * Parses the `--faults` string: comma-separated `key=value` pairs, e.g.
 * `delay=200,reorder=0.1,duplicate=0.05,drop-ws=30000,drop-response=1,5xx=3,429=5,skew=-2000,expire-user-data=60000,hide-user-fills=30000`
 * (`5xx-path=/api/v3/time` takes a path, not a number). An empty string means no faults.
 */
export function parseFaultSpec(text: string): FaultSpec {
  const raw: Record<string, number | string> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const [key, value, ...rest] = part.split('=');
    const field = key === undefined ? undefined : KEYS[key];
    if (!field || value === undefined || rest.length > 0) {
      throw new InvalidFaultSpecError(
        part,
        `bad fault "${part}": expected key=value with key one of ${Object.keys(KEYS).join(', ')}`,
      );
    }
    if (field === 'serverErrorsPath') {
      raw[field] = value.trim();
      continue;
    }
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw new InvalidFaultSpecError(part, `bad fault "${part}": "${value}" is not a number`);
    }
    raw[field] = n;
  }
  return validateFaultSpec(raw);
}

export function validateFaultSpec(input: unknown): FaultSpec {
  const parsed = FaultSpec.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InvalidFaultSpecError(input, `invalid fault spec: ${issues}`, { cause: parsed.error });
  }
  return parsed.data;
}

export function toFaultSpec(input: FaultSpecInput | string | undefined): FaultSpec {
  if (input === undefined) return NO_FAULTS;
  return typeof input === 'string' ? parseFaultSpec(input) : validateFaultSpec(input);
}

/** One injected fault event, named by the spec key that caused it (drop-ws and expire-user-data also when done by hand). */
export type InjectedFault =
  | 'serverErrors'
  | 'tooManyRequests'
  | 'dropResponses'
  | 'streamDelayMs'
  | 'streamReorderProbability'
  | 'streamDuplicateProbability'
  | 'dropWs'
  | 'expireUserData'
  | 'hideUserFills'
  | 'userDataDelayMs'
  | 'userDataReorderProbability'
  | 'userDataDuplicateProbability'
  | 'dropRestResponses'
  | 'dropWsApiResponses'
  | 'ban';

/** The live fault state: the spec plus the counters that bursts consume and the windows that timed faults open. */
export class FaultState {
  private spec: FaultSpec = NO_FAULTS;
  private readonly injectedListeners: ((fault: InjectedFault, count: number) => void)[] = [];
  /** End of the hide-user-fills window (ms on `now`); 0 when none is open. */
  private hideUserFillsUntil = 0;
  /** End of the ban window (ms on `now`); 0 when none is open. */
  private bannedUntil = 0;

  /** `now` times the windows of timed faults (the real clock: a skew fault must not move them). */
  constructor(
    initial: FaultSpec,
    private readonly onChange: (spec: FaultSpec) => void = () => undefined,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.set(initial);
  }

  get current(): FaultSpec {
    return this.spec;
  }

  /** Replaces the spec; a non-zero `hideUserFillsMs` opens its window from now. */
  set(spec: FaultSpec): void {
    this.apply(spec, true);
  }

  /**
   * Merges a partial spec over the current one. The hide-user-fills window is (re)opened only when
   * the partial names `hideUserFillsMs`, so changing another fault does not prolong it.
   */
  update(partial: Partial<FaultSpec>): FaultSpec {
    const banRearmed = partial.banMs !== undefined;
    this.apply(validateFaultSpec({ ...this.spec, ...partial }), partial.hideUserFillsMs !== undefined, banRearmed);
    return this.spec;
  }

  /** True while fills are withheld from the user data stream. */
  hidingUserFills(): boolean {
    return this.hideUserFillsUntil > 0 && this.now() < this.hideUserFillsUntil;
  }

  /** The end of the ban (ms on the real clock) while REST requests are refused with 418; undefined when none. */
  bannedUntilMs(): number | undefined {
    return this.bannedUntil > 0 && this.now() < this.bannedUntil ? this.bannedUntil : undefined;
  }

  private apply(spec: FaultSpec, rearmWindows: boolean, rearmBan = rearmWindows): void {
    this.spec = spec;
    if (rearmWindows) this.hideUserFillsUntil = spec.hideUserFillsMs > 0 ? this.now() + spec.hideUserFillsMs : 0;
    if (rearmBan) this.bannedUntil = spec.banMs > 0 ? this.now() + spec.banMs : 0;
    this.onChange(spec);
  }

  /** Told of every fault injected (for the sim's metrics). */
  onInjected(listener: (fault: InjectedFault, count: number) => void): void {
    this.injectedListeners.push(listener);
  }

  noteInjected(fault: InjectedFault, count = 1): void {
    for (const l of this.injectedListeners) l(fault, count);
  }

  private take(
    field: 'dropResponses' | 'serverErrors' | 'tooManyRequests' | 'dropRestResponses' | 'dropWsApiResponses',
  ): boolean {
    if (this.spec[field] <= 0) return false;
    this.spec = { ...this.spec, [field]: this.spec[field] - 1 };
    this.noteInjected(field);
    return true;
  }

  /** True when the REST request to `path` is to be answered 503 (a burst, possibly for one path only). */
  takeServerError(path: string): boolean {
    if (this.spec.serverErrorsPath !== undefined && this.spec.serverErrorsPath !== path) return false;
    return this.take('serverErrors');
  }

  takeTooManyRequests(): boolean {
    return this.take('tooManyRequests');
  }

  /** Whether to swallow the response to an accepted order, placed over `transport`. */
  takeDropResponse(transport?: 'rest' | 'ws-api'): boolean {
    if (transport === 'rest' && this.take('dropRestResponses')) return true;
    if (transport === 'ws-api' && this.take('dropWsApiResponses')) return true;
    return this.take('dropResponses');
  }
}
