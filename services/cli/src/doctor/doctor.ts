// `bourse doctor`: the three checks side by side, and how to show their results.
import type { CliConfig } from '../config.js';
import { checkNats, checkPostgres, checkRedis, formatCheckLine } from '@bourse/servers';
import type { CheckOptions, CheckResult } from '@bourse/servers';

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

// Shared with `bourse start` and the tests' global setup, which print the same lines.
export { formatCheckLine };

export function formatReport(results: readonly CheckResult[]): string {
  const lines = results.map(formatCheckLine);
  const bad = results.filter((r) => r.status !== 'ok').map((r) => r.server);
  lines.push(bad.length === 0 ? 'All servers answer.' : `Not ready: ${bad.join(', ')}.`);
  return lines.join('\n');
}

export function formatJson(results: readonly CheckResult[]): string {
  return JSON.stringify({ ok: allOk(results), checks: results }, null, 2);
}
