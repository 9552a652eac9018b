// Reads the platform configuration: the file (`--config`, else BOURSE_CONFIG, else
// config/bourse.yaml), then the environment overrides below, then one validation. Every problem is
// a ConfigError naming the field (and the variable, when an override set it); values that may hold
// a password are masked. Pure apart from reading the file: `env` and `readFile` are passed in.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { parseStrategies, StrategiesFileError } from '@bourse/strategy';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { maskUrl } from '@bourse/servers';
import { PlatformConfig } from './platform-config.js';

/** The file used when neither `--config` nor BOURSE_CONFIG names one, relative to the repository root. */
export const DEFAULT_CONFIG_FILE = 'config/bourse.yaml';
export const CONFIG_ENV = 'BOURSE_CONFIG';

/** Environment variables that override one field of the file each (documented in the root README). */
export const ENV_OVERRIDES = [
  { variable: 'NATS_URL', path: ['servers', 'nats'], type: 'string' },
  { variable: 'DATABASE_URL', path: ['servers', 'postgres'], type: 'string' },
  { variable: 'REDIS_URL', path: ['servers', 'redis'], type: 'string' },
  { variable: 'BOURSE_NAMESPACE', path: ['namespace'], type: 'string' },
  { variable: 'BOURSE_VENUE_TARGET', path: ['venue', 'target'], type: 'string' },
  { variable: 'BOURSE_SIM_PORT', path: ['sim', 'port'], type: 'integer' },
  { variable: 'BOURSE_STRATEGIES_FILE', path: ['strategies', 'file'], type: 'string' },
  { variable: 'BOURSE_RISK_LIMITS_FILE', path: ['risk', 'limitsFile'], type: 'string' },
] as const;

export interface LoadedPlatformConfig {
  readonly config: PlatformConfig;
  /** The file read, absolute. */
  readonly file: string;
  /** Variables that overrode a field, for the start banner. */
  readonly overrides: readonly string[];
}

export interface LoadPlatformConfigOptions {
  readonly root: string;
  /** `--config`, when given. */
  readonly file?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile?: (path: string) => string;
}

type Json = Record<string, unknown>;

function setPath(target: Json, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Json;
  }
  node[path.at(-1) as string] = value;
}

/** A value fit for an error message: URLs lose their password. */
/** A long run of key-like characters with letters and digits: an API key or secret in the wrong place. */
const KEY_LIKE = /^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9+/=_-]{20,}$/;

function shown(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value) ?? String(value);
  if (/^[a-z]+:\/\//i.test(value)) return maskUrl(value);
  // Echoing the bad value helps, unless it is a secret pasted into the wrong field.
  return KEY_LIKE.test(value) ? `a ${value.length}-character value not shown: it may be a secret` : value;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

export function loadPlatformConfig(options: LoadPlatformConfigOptions): LoadedPlatformConfig {
  const chosen = options.file ?? options.env[CONFIG_ENV];
  if (chosen !== undefined && chosen.trim() === '') {
    throw new ConfigError(CONFIG_ENV, '', `${options.file !== undefined ? '--config' : CONFIG_ENV} is empty`);
  }
  const file = chosen === undefined ? join(options.root, DEFAULT_CONFIG_FILE) : absolute(options.root, chosen);
  const name = relative(options.root, file).startsWith('..') ? file : relative(options.root, file);
  const read = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));

  let text: string;
  try {
    text = read(file);
  } catch (cause) {
    throw new ConfigError(file, file, `cannot read the config file ${name}: ${(cause as Error).message}`, { cause });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (cause) {
    throw new ConfigError(file, file, `${name} is not valid YAML or JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, file, `${name} must hold a mapping (v: 1, servers: …), not ${JSON.stringify(raw)}`);
  }

  const merged = structuredClone(raw) as Json;
  const overridden = new Map<string, string>();
  for (const o of ENV_OVERRIDES) {
    const value = options.env[o.variable];
    if (value === undefined) continue;
    if (value.trim() === '') throw new ConfigError(o.variable, '', `${o.variable} is empty; unset it to use ${name}`);
    let parsed: unknown = value;
    if (o.type === 'integer') {
      if (!/^\d+$/.test(value))
        throw new ConfigError(o.variable, value, `${o.variable} must be a whole number, got "${value}"`);
      parsed = Number(value);
    }
    setPath(merged, o.path, parsed);
    overridden.set(o.path.join('.'), o.variable);
  }

  const result = PlatformConfig.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    const variable = overridden.get(path);
    const field = path === '' ? '(root)' : path;
    const where = variable === undefined ? `${name}: ${field}` : `${variable} (overrides ${field} of ${name})`;
    const message =
      issue?.code === 'unrecognized_keys'
        ? `unknown key(s) ${issue.keys.join(', ')}`
        : (issue?.message ?? 'is invalid');
    const value = issue?.code === 'unrecognized_keys' ? '' : shown(valueAt(merged, issue?.path ?? []));
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problem(s))` : '';
    throw new ConfigError(
      variable ?? field,
      value,
      `${where} ${message}${value === '' || value === 'undefined' ? '' : ` (got ${value})`}${more}`,
      { cause: result.error },
    );
  }
  const config = withModulesFrom(result.data, dirname(file));
  checkStrategies(config, name);
  return { config, file, overrides: [...overridden.values()] };
}

/**
 * An inline strategy's `module: ./x.ts` is relative to the config file; the list is handed to the runner
 * as .bourse/strategies.yaml, so relative paths are made absolute here, against the config's folder.
 */
function withModulesFrom(config: PlatformConfig, dir: string): PlatformConfig {
  const list = config.strategies.list.map((entry) => {
    const module = entry['module'];
    if (typeof module !== 'string' || !(module.startsWith('./') || module.startsWith('../'))) return entry;
    return { ...entry, module: join(dir, module) };
  });
  return { ...config, strategies: { ...config.strategies, list } };
}

/** The inline strategies must pass the runner's own checks (names, versions, params), named by field. */
function checkStrategies(config: PlatformConfig, name: string): void {
  if (config.strategies.file !== undefined || config.strategies.list.length === 0) return;
  try {
    parseStrategies(toYaml({ strategies: config.strategies.list }), name, { skipModules: true });
  } catch (err) {
    if (!(err instanceof StrategiesFileError)) throw err;
    const detail = err.issues.map((i) => i.replace(/^strategies\./, 'strategies.list.')).join('; ');
    throw new ConfigError('strategies.list', '', `${name}: ${detail}`, { cause: err });
  }
}

function absolute(root: string, path: string): string {
  return isAbsolute(path) ? path : join(root, path);
}
