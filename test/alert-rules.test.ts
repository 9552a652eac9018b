// The Prometheus alert rules (deploy/prometheus/rules/bourse-alerts.yml) against promtool, Prometheus's
// own checker: the rules parse and type-check (`promtool check rules`), and every case of
// bourse-alerts.test.yml holds (`promtool test rules`). Before that, without promtool: every alert has
// a case where it fires and one where it does not, and every case names an alert that exists.
// promtool comes with Debian's `prometheus` package, which .ci/run installs when it is missing.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadAlertRules, RULES_FILE } from './support/dashboard-metrics.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RULE_TESTS_FILE = 'deploy/prometheus/rules/bourse-alerts.test.yml';
const run = promisify(execFile);

interface RuleTests {
  rule_files?: string[];
  tests?: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}
const ruleTests = parseYaml(readFileSync(join(ROOT, RULE_TESTS_FILE), 'utf8')) as RuleTests;
const alerts = loadAlertRules().flatMap((g) => g.rules.flatMap((r) => (r.alert === undefined ? [] : [r])));
const cases = (ruleTests.tests ?? []).flatMap((t) => t.alert_rule_test ?? []);

async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { code?: number | string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(
        'promtool is not installed; the alert rule tests need it. Install it with: ' +
          'apt-get update && apt-get install -y prometheus',
      );
    }
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('alert rules', () => {
  it('cover what an operator must act on', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual(
      [
        'BourseDeadLetterQueueNotEmpty',
        'BourseFeedStale',
        'BourseKillSwitchTripped',
        'BourseRateLimitBudgetNearlySpent',
        'BourseReconciliationDrift',
        'BourseReconciliationNotRun',
        'BourseRejectionSpike',
        'BourseServiceDown',
        'BourseTradingHalted',
        'BourseVenueRejectionSpike',
      ].sort(),
    );
    expect(alerts.find((a) => a.alert === 'BourseServiceDown')?.expr).toBe('up == 0');
    for (const a of alerts) {
      expect(['page', 'warning'], `${a.alert} severity`).toContain(a.labels?.['severity']);
      expect(a.annotations?.['summary'], `${a.alert} summary`).toMatch(/\S/);
      expect(a.annotations?.['description'], `${a.alert} description`).toMatch(/\S/);
    }
  });

  it('each have a promtool case that fires and one that does not, and no case names an unknown alert', () => {
    expect(ruleTests.rule_files).toEqual([RULES_FILE.split('/').pop()]);
    const names = new Set(alerts.map((a) => a.alert));
    for (const c of cases) expect(names.has(c.alertname), `case for unknown alert ${c.alertname}`).toBe(true);
    for (const { alert } of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert}: no case where it fires`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert}: no case where it does not fire`,
      ).toBe(true);
    }
  });

  it('pass `promtool check rules`', async () => {
    const { code, output } = await promtool('check', 'rules', RULES_FILE);
    expect(code, output).toBe(0);
    expect(output).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it('pass `promtool test rules`: every case fires or stays quiet as written', async () => {
    const { code, output } = await promtool('test', 'rules', RULE_TESTS_FILE);
    expect(code, output).toBe(0);
    expect(output).toContain('SUCCESS');
  });
});
