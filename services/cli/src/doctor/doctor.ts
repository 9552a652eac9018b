// `bourse doctor`: the three checks side by side, and how to show their results.
import type { CliConfig } from '../config.js';
import { checkNats, checkPostgres, checkRedis } from './checks.js';
import type { CheckOptions, CheckResult } from './types.js';

/** Runs the three checks concurrently; results in a fixed order (NATS, PostgreSQL, Redis). */
export async function runDoctor(config: CliConfig, options: CheckOptions): Promise<CheckResult[]> {
  return Promise.all([
    checkNats(config.natsUrl, options),
    checkPostgres(config.databaseUrl, options),
    checkRedis(config.redisUrl, options),
  ]);
}

export function allOk(results: readonly CheckResult[]): boolean {
  return results.every((r) => r.status === 'ok');
}

const STATUS_LABEL = { ok: 'OK', missing: 'MISSING', failed: 'FAILED' } as const;

/** One line per server: status, name, masked URL, then what was found or what to do. */
export function formatCheckLine(result: CheckResult): string {
  const label = STATUS_LABEL[result.status].padEnd(7);
  const name = result.server.padEnd(10);
  const parts = [result.detail, ...result.notes];
  if (result.hint !== undefined) parts.push(result.hint);
  return `${label} ${name} ${result.url}  ${parts.join('; ')}`;
}

export function formatReport(results: readonly CheckResult[]): string {
  const lines = results.map(formatCheckLine);
  const bad = results.filter((r) => r.status !== 'ok').map((r) => r.server);
  lines.push(bad.length === 0 ? 'All servers answer.' : `Not ready: ${bad.join(', ')}.`);
  return lines.join('\n');
}

export function formatJson(results: readonly CheckResult[]): string {
  return JSON.stringify({ ok: allOk(results), checks: results }, null, 2);
}
