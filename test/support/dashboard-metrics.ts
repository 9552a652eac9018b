// What the Grafana dashboards in deploy/grafana/dashboards query, read from the JSON files. Shared by
// the static config test (every name must be defined in the source) and the platform system test
// (every name must appear in a running service's /metrics).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARDS_DIR = fileURLToPath(new URL('../../deploy/grafana/dashboards/', import.meta.url));

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

export interface Dashboard {
  readonly uid?: string;
  readonly title?: string;
  readonly schemaVersion?: number;
  readonly panels?: readonly DashboardPanel[];
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
