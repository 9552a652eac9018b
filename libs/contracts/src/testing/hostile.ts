import fc from 'fast-check';

// Hostile input shared by every *.fuzz.test.ts: what a broken or malicious venue, peer or file may
// send. Test-only (the `@bourse/contracts/testing` entry); fast-check is a dev dependency.

/** Run counts stay small: the fuzz set as a whole must add well under a minute to `pnpm test`. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/**
 * One seed for every fuzz file, so `pnpm test` replays the same inputs each run: a fresh random
 * seed per run made CI fail on inputs no one had looked at. Explore with `FUZZ_SEED=<n>` (or
 * `FUZZ_SEED=random`); a failing seed found that way becomes a fixed case.
 */
export const FUZZ_SEED = process.env.FUZZ_SEED === 'random' ? undefined : Number(process.env.FUZZ_SEED ?? 7);
fc.configureGlobal({ ...fc.readConfigureGlobal(), ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }) });

/** Strings that look like numbers to a careless parser, or almost do. */
export const NUMBERISH_STRINGS = [
  'NaN',
  'Infinity',
  '-Infinity',
  '+Infinity',
  'nan',
  'inf',
  '1e3',
  '1E-7',
  '-1e308',
  '1e309',
  '0x10',
  '0b1',
  '0o7',
  '1_000',
  ' 1',
  '1 ',
  '1.',
  '.5',
  '+1',
  '-0',
  '0',
  '0.0',
  '-1',
  '-0.00000001',
  '00.1',
  '1,5',
  '١٢٣',
  '1234567890123456789012345678901234567890',
  '-1234567890123456789012345678901234567890',
  '0.1234567890123456789012345678901234567890',
  '1234567890123456789012345678901234567890.1234567890123456789012345678901234567890',
  '',
  'null',
  'undefined',
  'true',
] as const;

/** Keys that change an object's prototype or shadow its methods when copied carelessly. */
export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];

/** Numbers JSON can carry (or a JS caller can pass) that break naive arithmetic. */
export const HOSTILE_NUMBERS = [
  0,
  -0,
  -1,
  0.1,
  1e21,
  1e-7,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_SAFE_INTEGER,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 53,
  2 ** 64,
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NUMBERISH_STRINGS),
  fc.constantFrom(...POLLUTION_KEYS),
  fc.constantFrom('UNKNOWN', 'buy', 'Buy', 'MARKET ', 'LIMIT\u0000', '\u202e', '💥', 'a.b.>', '*', '../../etc/passwd'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.nat({ max: 70_000 }).map((n) => 'x'.repeat(n)),
);

export const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(...HOSTILE_NUMBERS),
  fc.double(),
  fc.integer(),
  fc.bigInt().map((b) => Number(b)),
  fc.constantFrom(null, true, false, undefined),
);

/** A JSON-ish value of any shape whose objects may carry pollution keys as own properties. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileScalar,
    fc.array(tie('value'), { maxLength: 5 }),
    fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...POLLUTION_KEYS), fc.string({ maxLength: 8 })), tie('value')), {
        maxLength: 5,
      })
      .map(ownEntries),
  ),
})).value;

/** An object with these own properties, `__proto__` included (as JSON.parse would make it). */
export function ownEntries(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** JSON text nested `depth` levels deep: blows the stack of a recursive walker. */
export function deepJsonText(depth: number, open = '[', close = ']'): string {
  return open.repeat(depth) + close.repeat(depth);
}

/** `{"a":{"a":...}}` nested `depth` levels. */
export function deepObjectText(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

type Path = readonly (string | number)[];

/** Every path to a value inside `value` (the root is `[]`). */
export function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function setAt(
  root: unknown,
  path: Path,
  fn: (parent: Record<string | number, unknown>, key: string | number) => void,
): unknown {
  if (path.length === 0) return root;
  let parent = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  fn(parent, path[path.length - 1] as string | number);
  return root;
}

export type Mutation =
  | { kind: 'replace'; path: Path; value: unknown }
  | { kind: 'delete'; path: Path }
  | { kind: 'wrap'; path: Path }
  | { kind: 'pollute'; path: Path; key: string; value: unknown }
  | { kind: 'root'; value: unknown };

/**
 * Mutations of a valid value: one field replaced by a hostile value, removed, wrapped in an
 * array, a pollution key added next to it, or the whole value swapped.
 */
export function mutationOf(valid: unknown): fc.Arbitrary<Mutation> {
  const paths = pathsOf(valid);
  const inner = paths.filter((p) => p.length > 0);
  const anyPath = fc.constantFrom(...paths);
  const arbs: fc.Arbitrary<Mutation>[] = [
    fc.record({ kind: fc.constant('replace' as const), path: anyPath, value: hostileValue }),
    fc.record({ kind: fc.constant('wrap' as const), path: anyPath }),
    fc.record({
      kind: fc.constant('pollute' as const),
      path: anyPath,
      key: fc.constantFrom(...POLLUTION_KEYS),
      value: hostileValue,
    }),
    fc.record({ kind: fc.constant('root' as const), value: hostileValue }),
  ];
  if (inner.length > 0) arbs.push(fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...inner) }));
  return fc.oneof(...arbs);
}

export function applyMutation(valid: unknown, m: Mutation): unknown {
  if (m.kind === 'root') return m.value;
  const root = clone(valid);
  const get = (path: Path): unknown => path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], root);
  switch (m.kind) {
    case 'replace':
      return m.path.length === 0 ? m.value : setAt(root, m.path, (p, k) => (p[k] = m.value));
    case 'delete':
      return setAt(root, m.path, (p, k) => {
        if (Array.isArray(p)) p.splice(k as number, 1);
        else delete p[k];
      });
    case 'wrap':
      return m.path.length === 0 ? [root] : setAt(root, m.path, (p, k) => (p[k] = [p[k]]));
    case 'pollute': {
      const target = get(m.path);
      if (target === null || typeof target !== 'object') return root;
      Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      return root;
    }
  }
}

/** Mutated copies of one of the valid values. */
export function mutated(valids: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc
    .constantFrom(...valids)
    .chain((v) => fc.tuple(fc.constant(v), mutationOf(v)))
    .map(([v, m]) => applyMutation(v, m));
}

/** Valid values, mutated ones and random ones. */
export function hostileInputs(valids: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...valids) },
    { weight: 6, arbitrary: mutated(valids) },
    { weight: 2, arbitrary: hostileValue },
  );
}

/** JSON text that may stringify with `NaN`/`Infinity` replaced, a 40-digit number or an exponent. */
function toJsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return 'null';
  }
}

/** Wire text: a mutated valid message, or broken JSON, deep JSON, oversize or non-JSON bytes. */
export function hostileTexts(valids: readonly unknown[]): fc.Arbitrary<string> {
  const validTexts = valids.map((v) => JSON.stringify(v));
  return fc.oneof(
    { weight: 6, arbitrary: hostileInputs(valids).map(toJsonText) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...validTexts), fc.nat())
        .map(([t, n]) => t.slice(0, n % Math.max(1, t.length))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...validTexts),
          fc.constantFrom(
            ...NUMBERISH_STRINGS.filter((s) => /^[-+0-9.]/.test(s)),
            '1e400',
            '-1e-400',
            '12345678901234567890123456789012345678901',
          ),
        )
        // Bare numbers in place of the first numeric or string value: exponents, 40 digits.
        .map(([t, n]) => t.replace(/:("[^"]*"|-?[0-9.]+)/, `:${n}`)),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        deepJsonText(100_000),
        deepObjectText(20_000),
        '{"__proto__":{"polluted":true}}',
        '{"constructor":{"prototype":{"polluted":true}}}',
        '',
        'null',
        '[]',
        '"text"',
        '\u0000\u0001',
        '{"a":1,"a":2}',
      ),
    },
    { weight: 1, arbitrary: fc.nat({ max: 2 * 1024 * 1024 }).map((n) => `{"pad":"${'x'.repeat(n)}"}`) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );
}

/** Raw bytes for a message: hostile text as UTF-8, or bytes that are not UTF-8 at all. */
export function hostileBytes(valids: readonly unknown[]): fc.Arbitrary<Uint8Array> {
  const encoder = new TextEncoder();
  return fc.oneof(
    { weight: 8, arbitrary: hostileTexts(valids).map((t) => encoder.encode(t)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constant(Uint8Array.from([0xc3, 0x28, 0xff, 0xfe])) },
  );
}

/** Throws if a pollution key reached Object.prototype (call after feeding hostile input). */
export function assertPrototypeClean(): void {
  const probe = {} as Record<string, unknown>;
  if ('polluted' in probe || Object.keys(Object.prototype).length > 0) {
    throw new Error(`Object.prototype was polluted: ${Object.keys(Object.prototype).join(', ')}`);
  }
}

/**
 * Decimal strings every contract accepts but arithmetic may choke on: 40 digits, 40 decimals,
 * the smallest steps, zero and plain values.
 */
export const extremeDecimal: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0',
    '0.0',
    '0.00000000000000000000000000000000000001',
    '1234567890123456789012345678901234567890',
    '1234567890123456789012345678901234567890.1234567890123456789012345678901234567890',
    '9999999999999999999999',
    '0.1',
    '1',
    '50000',
    '-1',
    '-1234567890123456789012345678901234567890',
  ),
  fc
    .tuple(fc.nat({ max: 1_000_000 }), fc.nat({ max: 99_999_999 }))
    .map(([i, f]) => (f === 0 ? String(i) : `${i}.${String(f).padStart(8, '0')}`)),
);

/** Millisecond times at the edges: zero, the far future, and around now. */
export const extremeTime: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER, 1_700_000_000_000, 253_402_300_799_999),
  fc.integer({ min: 1_699_999_000_000, max: 1_700_001_000_000 }),
);
