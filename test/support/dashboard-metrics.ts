// What the Grafana dashboards in deploy/grafana/dashboards and the Prometheus alert rules in
// deploy/prometheus/rules query, read from their files. Shared by the static config test (every name
// must be defined in the source) and the platform system test (every name a dashboard charts must
// appear in a running service's /metrics).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const DASHBOARDS_DIR = fileURLToPath(new URL('../../deploy/grafana/dashboards/', import.meta.url));
/** The alert rules, relative to the repository root. */
export const RULES_FILE = 'deploy/prometheus/rules/bourse-alerts.yml';

export interface DashboardTarget {
  readonly refId?: string;
  readonly expr?: string;
  readonly legendFormat?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

export interface DashboardPanel {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly gridPos?: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: readonly DashboardTarget[];
}

export interface TemplateVariable {
  readonly name?: string;
  readonly type?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly query?: { readonly query?: string } | string;
}

export interface Dashboard {
  readonly uid?: string;
  readonly title?: string;
  readonly schemaVersion?: number;
  readonly panels?: readonly DashboardPanel[];
  readonly templating?: { readonly list?: readonly TemplateVariable[] };
}

export interface LoadedDashboard {
  /** File name inside deploy/grafana/dashboards. */
  readonly file: string;
  readonly dashboard: Dashboard;
}

/** A PromQL expression with where it comes from, for failure messages. */
export interface PanelQuery {
  readonly where: string;
  readonly expr: string;
  readonly legendFormat: string;
}

/** Every dashboard JSON file, parsed; a file that does not parse throws naming the file. */
export function loadDashboards(): LoadedDashboard[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((file) => {
      try {
        return { file, dashboard: JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as Dashboard };
      } catch (err) {
        throw new Error(`deploy/grafana/dashboards/${file} is not valid JSON: ${(err as Error).message}`);
      }
    });
}

export function panelQueries(dashboards: readonly LoadedDashboard[] = loadDashboards()): PanelQuery[] {
  return dashboards.flatMap(({ file, dashboard }) =>
    (dashboard.panels ?? []).flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        where: `${file} panel ${panel.id} "${panel.title}" query ${target.refId}`,
        expr: target.expr ?? '',
        legendFormat: target.legendFormat ?? '',
      })),
    ),
  );
}

export interface AlertRule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr?: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** The rule groups of deploy/prometheus/rules/bourse-alerts.yml. */
export function loadAlertRules(): RuleGroup[] {
  const text = readFileSync(fileURLToPath(new URL(`../../${RULES_FILE}`, import.meta.url)), 'utf8');
  return (parseYaml(text) as { groups?: RuleGroup[] }).groups ?? [];
}

/**
 * Every alert rule's expression as a query. The labels its annotations name (`{{ $labels.x }}`) stand
 * in for a panel's legend, so the same check holds them to the labels the expression keeps.
 */
export function alertRuleQueries(groups: readonly RuleGroup[] = loadAlertRules()): PanelQuery[] {
  return groups.flatMap((group) =>
    group.rules.map((rule) => ({
      where: `${RULES_FILE} group ${group.name} alert ${rule.alert ?? rule.record}`,
      expr: rule.expr ?? '',
      legendFormat: Object.values(rule.annotations ?? {})
        .join(' ')
        .replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, '{{$1}}'),
    })),
  );
}

/**
 * The metric names an expression selects, as written (a histogram as `<name>_bucket`). Only the
 * prefixes Bourse's services export are recognised: `bourse_` for their own metrics, `process_` and
 * `nodejs_` for prom-client's default ones. Series Prometheus makes itself, such as `up`, are not
 * exported by anyone and so are left out.
 */
export function metricNamesIn(expr: string): string[] {
  return [...new Set(expr.match(/\b(?:bourse|process|nodejs)_[a-z0-9_]+\b/g) ?? [])];
}

const HISTOGRAM_SERIES_SUFFIX = /_(?:bucket|sum|count)$/;

/**
 * The name a metric is declared under (and what `# TYPE <name>` shows): a histogram's `_bucket`,
 * `_sum` and `_count` series belong to the histogram itself. No Bourse metric name ends in one of
 * those suffixes (counters end in `_total`), so stripping them never changes a counter or a gauge.
 */
export function baseMetricName(name: string): string {
  return name.replace(HISTOGRAM_SERIES_SUFFIX, '');
}

/** The Bourse metrics (bourse_*) the dashboards use, by declared name, sorted. */
export function dashboardMetricNames(): string[] {
  const names = panelQueries().flatMap((q) => metricNamesIn(q.expr).map(baseMetricName));
  return [...new Set(names.filter((n) => n.startsWith('bourse_')))].sort();
}
