// Static checks of the observability config (no Prometheus, Grafana or Docker needed): Prometheus
// scrapes each platform service at the ops port `bourse start` gives it, on loopback
// (prometheus.yml, next to `pnpm start`) and by compose service name (prometheus.compose.yml), and
// both load the alert rules; Grafana's datasources (Prometheus and Jaeger), dashboard provider and
// the compose mounts agree on uids, addresses and paths; every metric a dashboard or an alert rule
// queries is one the source defines, used the way its type allows (counters through rate/increase,
// histograms through their buckets) and filtered, grouped or templated only by labels it has.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMetrics } from '@bourse/telemetry';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadPlatformConfig, type OpsService, launchPlan, OPS_ENV } from '@bourse/cli';
import {
  alertRuleQueries,
  baseMetricName,
  DASHBOARDS_DIR,
  dashboardMetricNames,
  loadDashboards,
  metricNamesIn,
  panelQueries,
  RULES_FILE,
  type Dashboard,
  type PanelQuery,
} from './support/dashboard-metrics.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const readText = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

// ---------------------------------------------------------------------------------------------
// The files under test.

interface ComposeService {
  image?: string;
  profiles?: string[];
  network_mode?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
}
const compose = parseYaml(readText('docker-compose.yml')) as { services: Record<string, ComposeService> };

interface ScrapeJob {
  job_name: string;
  scrape_interval?: string;
  metrics_path?: string;
  scheme?: string;
  static_configs?: { targets?: string[]; labels?: Record<string, string> }[];
}
interface PrometheusConfig {
  global?: { scrape_interval?: string };
  rule_files?: string[];
  scrape_configs?: ScrapeJob[];
}
const PROMETHEUS_CONFIGS = {
  // Next to `pnpm start`: the services' ops servers on loopback.
  'deploy/prometheus/prometheus.yml': (_service: string) => '127.0.0.1',
  // In docker compose: each service by its compose name.
  'deploy/prometheus/prometheus.compose.yml': (service: string) => service,
} as const;
const prometheusConfig = (file: string): PrometheusConfig => parseYaml(readText(file)) as PrometheusConfig;

const datasources = (
  parseYaml(readText('deploy/grafana/provisioning/datasources/datasources.yml')) as {
    datasources?: { uid?: string; type?: string; url?: string }[];
  }
).datasources;
const datasourceOfType = (type: string) => datasources?.filter((d) => d.type === type) ?? [];
const PROMETHEUS_UID = datasourceOfType('prometheus')[0]?.uid;

const providers = (
  parseYaml(readText('deploy/grafana/provisioning/dashboards/bourse.yml')) as {
    providers?: { name?: string; type?: string; options?: { path?: string } }[];
  }
).providers;

function composeService(name: string): ComposeService {
  const service = compose.services[name];
  if (service === undefined) throw new Error(`docker-compose.yml has no service ${name}`);
  return service;
}

/** Short-syntax volume `source:target[:mode]`. */
function mounts(service: ComposeService): { source: string; target: string; mode: string }[] {
  return (service.volumes ?? []).map((v) => {
    const [source = '', target = '', mode = 'rw'] = v.split(':');
    return { source, target, mode };
  });
}

function mountOf(serviceName: string, source: string): { target: string; mode: string } {
  const found = mounts(composeService(serviceName)).find((m) => resolve(ROOT, m.source) === resolve(ROOT, source));
  if (found === undefined) throw new Error(`docker-compose.yml: ${serviceName} does not mount ${source}`);
  return found;
}

function flag(service: ComposeService, name: string): string | undefined {
  const prefix = `--${name}=`;
  return service.command?.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

/** Prometheus durations as used here (`10s`, `1m`, `500ms`), in seconds. */
function seconds(duration: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(duration);
  if (m === null) throw new Error(`unrecognised duration "${duration}"`);
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * factor;
}

// ---------------------------------------------------------------------------------------------
// What the source defines.

type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';
interface Definition {
  readonly type: MetricType | undefined;
  readonly labels: readonly string[];
  readonly file: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'dist'].includes(entry.name) ? [] : sourceFiles(path);
    // Test files and test helpers may make metrics no running service exports.
    const isTestCode = /\.test\.ts$/.test(entry.name) || ['testing.ts', 'test-support.ts'].includes(entry.name);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !isTestCode ? [path] : [];
  });
}

/** From `(` at `open`, the index just past its matching `)`, stepping over string literals. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    const c = text[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      for (i += 1; i < text.length && text[i] !== c; i += 1) if (text[i] === '\\') i += 1;
    } else if (c === '(') {
      depth += 1;
    } else if (c === ')') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

const quoted = (list: string): string[] => [...list.matchAll(/'([A-Za-z_][A-Za-z0-9_]*)'/g)].map((m) => m[1] as string);

// `new Counter({ name: 'x', … })`, `metrics.gauge({ name: 'x', … })` and the services' own
// `counter(registry, 'x', help, [labels])` helpers.
const DEFINITION =
  /\b(counter|gauge|histogram|summary)\s*(?:<[^>(]*>)?\s*\(\s*(?:\{\s*name:\s*|[\w.]+\s*,\s*)'(bourse_[a-z0-9_]+)'/gi;

function sourceDefinitions(): { literals: Map<string, string>; definitions: Map<string, Definition> } {
  const literals = new Map<string, string>();
  const definitions = new Map<string, Definition>();
  for (const path of [...sourceFiles(join(ROOT, 'services')), ...sourceFiles(join(ROOT, 'libs'))]) {
    const text = readFileSync(path, 'utf8');
    const file = relative(ROOT, path);
    for (const m of text.matchAll(/'(bourse_[a-z0-9_]+)'/g)) literals.set(m[1] as string, file);
    for (const m of text.matchAll(DEFINITION)) {
      const name = m[2] as string;
      const open = text.indexOf('(', m.index);
      const call = text.slice(m.index, closingParen(text, open));
      const named = /labelNames:\s*\[([^\]]*)\]/.exec(call);
      // The positional helpers take the label list as the first array after the name.
      const positional = named === null ? /\[([^\]]*)\]/.exec(call.slice(call.indexOf(`'${name}'`))) : null;
      definitions.set(name, {
        type: (m[1] as string).toLowerCase() as MetricType,
        labels: quoted((named ?? positional)?.[1] ?? ''),
        file,
      });
    }
  }
  return { literals, definitions };
}

/** prom-client's default metrics as libs/telemetry registers them for every service. */
async function defaultMetricDefinitions(): Promise<Map<string, Definition>> {
  const { registry } = createMetrics({ service: 'observability-config-test' });
  const byName = new Map<string, Definition>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const declared = (registry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames ?? [];
    const seen = metric.values.flatMap((v) => Object.keys(v.labels));
    byName.set(metric.name, {
      type: String(metric.type) as MetricType,
      labels: [...new Set([...declared, ...seen])].filter((l) => l !== 'le'),
      file: 'prom-client collectDefaultMetrics (libs/telemetry createMetrics)',
    });
  }
  return byName;
}

// Every series carries these: `service` from libs/telemetry's default label, `job` and `instance`
// from the scrape.
const SERIES_LABELS = ['service', 'job', 'instance'];

// ---------------------------------------------------------------------------------------------
// A little PromQL reading: enough for the expressions a dashboard holds, not a parser.

/** The functions around `index`, innermost first ('' for a bare or grouping parenthesis). */
function enclosingFunctions(expr: string, index: number): string[] {
  const out: string[] = [];
  let depth = 0;
  for (let i = index - 1; i >= 0; i -= 1) {
    const c = expr[i];
    if (c === ')') depth += 1;
    else if (c === '(') {
      if (depth > 0) depth -= 1;
      else out.push(/([a-z_]+)\s*$/.exec(expr.slice(0, i))?.[1] ?? '');
    }
  }
  return out;
}

const AGGREGATION = /\b(sum|min|max|avg|count|group|stddev|stdvar|topk|bottomk|quantile|count_values)\b\s*/g;
const LABEL_LIST = /^(by|without)\s*\(([^)]*)\)/;

/** Labels named in every `by (…)` / `without (…)` clause. */
function groupingLabels(expr: string): string[] {
  return [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) =>
    (m[1] as string)
      .split(',')
      .map((l) => l.trim())
      .filter((l) => l !== ''),
  );
}

/**
 * The labels the result keeps, judged by the outermost (leftmost) aggregation: its `by` list, or none
 * when it has neither `by` nor `without`; undefined when it cannot tell (no aggregation, `without`).
 */
function resultLabels(expr: string): string[] | undefined {
  const m = new RegExp(AGGREGATION).exec(expr);
  if (m === null) return undefined;
  let rest = expr.slice(m.index + m[0].length);
  let clause = LABEL_LIST.exec(rest);
  if (clause === null && rest.startsWith('(')) {
    rest = rest.slice(closingParen(rest, 0)).trimStart();
    clause = LABEL_LIST.exec(rest);
  }
  if (clause === null) return [];
  if (clause[1] === 'without') return undefined;
  return (clause[2] as string)
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

// ---------------------------------------------------------------------------------------------

const { config } = loadPlatformConfig({ root: ROOT, env: {} });
const plan = launchPlan(config, '/etc/bourse');
const SERVICES = Object.keys(plan.serviceEnv) as OpsService[];

describe.each(Object.entries(PROMETHEUS_CONFIGS))('Prometheus config %s', (file, hostOf) => {
  const prometheus = prometheusConfig(file);
  const jobs = prometheus.scrape_configs ?? [];

  it('loads the alert rules, relative to itself, from the file promtool tests', () => {
    expect(prometheus.rule_files, `${file} rule_files`).toEqual(['rules/bourse-alerts.yml']);
    expect(resolve(ROOT, dirname(file), 'rules/bourse-alerts.yml')).toBe(resolve(ROOT, RULES_FILE));
  });

  it('has exactly one job per platform service, at the ops port `bourse start` gives it', () => {
    expect(SERVICES.length, 'launchPlan names no services').toBeGreaterThan(0);
    for (const service of SERVICES) {
      const port = plan.serviceEnv[service][OPS_ENV[service].port];
      expect(port, `launchPlan gives ${service} no ${OPS_ENV[service].port}`).toMatch(/^\d+$/);
      const matching = jobs.filter((j) => (j.static_configs ?? []).some((c) => c.labels?.['service'] === service));
      expect(
        matching.map((j) => j.job_name),
        `jobs labelled service=${service}`,
      ).toHaveLength(1);
      const job = matching[0] as ScrapeJob;
      const targets = (job.static_configs ?? []).flatMap((c) => c.targets ?? []);
      expect(targets, `job ${job.job_name} targets`).toEqual([`${hostOf(service)}:${port}`]);
      expect(job.metrics_path ?? '/metrics', `job ${job.job_name} metrics_path`).toBe('/metrics');
      expect(job.scheme ?? 'http', `job ${job.job_name} scheme`).toBe('http');
    }
  });

  it('has no job for anything else and no duplicate job names', () => {
    const names = jobs.map((j) => j.job_name);
    expect(new Set(names).size, `duplicate job_name in ${names.join(', ')}`).toBe(names.length);
    for (const job of jobs) {
      const labels = (job.static_configs ?? []).map((c) => c.labels?.['service']);
      for (const service of labels) {
        expect(SERVICES, `job ${job.job_name} is labelled service=${service}`).toContain(service);
      }
    }
  });

  it('scrapes every 5 to 15 seconds', () => {
    for (const job of jobs) {
      // Prometheus's own default applies when neither the job nor `global` sets one.
      const interval = seconds(job.scrape_interval ?? prometheus.global?.scrape_interval ?? '1m');
      expect(interval, `job ${job.job_name} scrape interval`).toBeGreaterThanOrEqual(5);
      expect(interval, `job ${job.job_name} scrape interval`).toBeLessThanOrEqual(15);
    }
  });
});

describe('docker-compose.yml: Prometheus and Grafana', () => {
  it('start with a plain `docker compose up` on the compose network, from pinned images', () => {
    for (const name of ['prometheus', 'grafana', 'jaeger']) {
      const service = composeService(name);
      expect(service.profiles, `${name} profiles`).toBeUndefined();
      expect(service.network_mode, `${name} network_mode`).toBeUndefined();
      expect(service.image, `${name} image must be pinned to a version`).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
    }
  });

  it('runs Prometheus with the compose scrape config and the rules mounted read-only where it reads them', () => {
    const service = composeService('prometheus');
    const listen = flag(service, 'web.listen-address') ?? '';
    expect(listen, 'prometheus --web.listen-address').toMatch(/^0\.0\.0\.0:\d+$/);
    expect(service.ports, 'prometheus ports').toEqual([`127.0.0.1:${listen.split(':')[1]}:${listen.split(':')[1]}`]);
    const config = mountOf('prometheus', './deploy/prometheus/prometheus.compose.yml');
    expect(config.mode, 'prometheus config mount mode').toBe('ro');
    expect(flag(service, 'config.file'), 'prometheus --config.file').toBe(config.target);
    const rules = mountOf('prometheus', './deploy/prometheus/rules');
    expect(rules.mode, 'rules mount mode').toBe('ro');
    // rule_files are relative to the config file.
    expect(join(dirname(config.target), 'rules')).toBe(rules.target);
  });

  it('runs Grafana on localhost:3000, anonymous viewers only, admin password from GRAFANA_ADMIN_PASSWORD without a default', () => {
    const service = composeService('grafana');
    const env = service.environment ?? {};
    expect(env['GF_SERVER_HTTP_PORT'] ?? '3000', 'GF_SERVER_HTTP_PORT').toBe('3000');
    expect(service.ports, 'grafana ports').toEqual(['127.0.0.1:3000:3000']);
    expect(env['GF_AUTH_ANONYMOUS_ENABLED'], 'GF_AUTH_ANONYMOUS_ENABLED').toBe('true');
    expect(env['GF_AUTH_ANONYMOUS_ORG_ROLE'], 'GF_AUTH_ANONYMOUS_ORG_ROLE').toBe('Viewer');
    // `${VAR}`, `${VAR:-}` or `${VAR-}`: nothing after the dash, so no password lives in the file.
    expect(env['GF_SECURITY_ADMIN_PASSWORD'], 'GF_SECURITY_ADMIN_PASSWORD').toMatch(
      /^\$\{GRAFANA_ADMIN_PASSWORD(?::?-)?\}$/,
    );
    // Without one the entrypoint draws a random password and turns the sign-in form off.
    const script = (service.entrypoint ?? []).join(' ');
    expect(script).toContain('GF_AUTH_DISABLE_LOGIN_FORM=true');
    expect(script).toContain('/dev/urandom');
  });
});

describe('Grafana provisioning', () => {
  const dashboards = loadDashboards();

  it('provisions Prometheus and Jaeger, each with a fixed uid, at their compose addresses', () => {
    expect(datasources?.map((d) => d.type).sort(), 'datasource types').toEqual(['jaeger', 'prometheus']);
    for (const ds of datasources ?? []) expect(ds.uid, `${ds.type} datasource uid`).toMatch(/^[\w-]+$/);
    const listen = flag(composeService('prometheus'), 'web.listen-address') ?? '';
    expect(datasourceOfType('prometheus')[0]?.url, 'prometheus url').toBe(`http://prometheus:${listen.split(':')[1]}`);
    // Jaeger's query UI and API; compose publishes it on the same port.
    expect(datasourceOfType('jaeger')[0]?.url, 'jaeger url').toBe('http://jaeger:16686');
    expect(composeService('jaeger').ports).toContain('127.0.0.1:16686:16686');
  });

  it('points the dashboard provider at where compose mounts deploy/grafana/dashboards', () => {
    expect(providers, 'dashboard providers').toHaveLength(1);
    const provider = providers?.[0];
    expect(provider?.type, 'provider type').toBe('file');
    const mount = mountOf('grafana', './deploy/grafana/dashboards');
    expect(mount.mode, 'dashboards mount mode').toBe('ro');
    expect(resolve(ROOT, './deploy/grafana/dashboards'), 'dashboards folder').toBe(resolve(DASHBOARDS_DIR));
    expect(provider?.options?.path?.replace(/\/$/, ''), 'provider options.path').toBe(mount.target.replace(/\/$/, ''));
  });

  it('mounts the provisioning folder read-only where Grafana looks for it', () => {
    const service = composeService('grafana');
    const mount = mountOf('grafana', './deploy/grafana/provisioning');
    expect(mount.mode, 'provisioning mount mode').toBe('ro');
    // The image's default unless the environment moves it.
    expect(mount.target, 'provisioning mount target').toBe(
      service.environment?.['GF_PATHS_PROVISIONING'] ?? '/etc/grafana/provisioning',
    );
  });

  it('has dashboards that parse, with a uid each, unique panel ids and panels laid out without overlap', () => {
    expect(dashboards.length, 'dashboard JSON files').toBeGreaterThan(0);
    const uids = dashboards.map((d) => d.dashboard.uid);
    expect(new Set(uids).size, `dashboard uids ${uids.join(', ')}`).toBe(uids.length);
    for (const { file, dashboard } of dashboards) {
      expect(dashboard.uid, `${file} uid`).toMatch(/^[\w-]{1,40}$/);
      expect(dashboard.title, `${file} title`).toMatch(/\S/);
      expect(dashboard.schemaVersion, `${file} schemaVersion`).toBeGreaterThanOrEqual(36);
      const panels = dashboard.panels ?? [];
      expect(panels.length, `${file} panels`).toBeGreaterThan(0);
      const ids = panels.map((p) => p.id);
      const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
      expect(repeated, `${file}: panel ids used twice: ${repeated.join(', ')}`).toEqual([]);
      for (const p of panels) {
        const where = `${file} panel ${p.id} "${p.title}"`;
        expect(Number.isInteger(p.id), `${where}: id`).toBe(true);
        expect(['timeseries', 'stat'], `${where}: type ${p.type}`).toContain(p.type);
        expect(p.targets?.length ?? 0, `${where}: queries`).toBeGreaterThan(0);
        const g = p.gridPos;
        expect(g !== undefined && g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.h > 0, `${where}: gridPos`).toBe(true);
      }
      for (const [i, a] of panels.entries()) {
        for (const b of panels.slice(i + 1)) {
          const [ga, gb] = [a.gridPos, b.gridPos];
          if (ga === undefined || gb === undefined) continue;
          const overlap = ga.x < gb.x + gb.w && gb.x < ga.x + ga.w && ga.y < gb.y + gb.h && gb.y < ga.y + ga.h;
          expect(overlap, `${file}: panels ${a.id} "${a.title}" and ${b.id} "${b.title}" overlap`).toBe(false);
        }
      }
    }
  });

  it('uses the provisioned datasource, by uid, in every panel and every query', () => {
    const uid = PROMETHEUS_UID;
    expect(uid).toBeDefined();
    for (const { file, dashboard } of dashboards) {
      for (const p of dashboard.panels ?? []) {
        const where = `${file} panel ${p.id} "${p.title}"`;
        expect(p.datasource?.uid, `${where}: datasource uid`).toBe(uid);
        for (const t of p.targets ?? []) {
          expect(t.datasource?.uid ?? uid, `${where} query ${t.refId}: datasource uid`).toBe(uid);
          expect(t.expr ?? '', `${where} query ${t.refId}: expr`).toMatch(/\S/);
        }
      }
    }
  });
});

describe('dashboards an operator works from', () => {
  const dashboards = loadDashboards();
  const source = sourceDefinitions();

  it('are the operations overview, per strategy, market-data health and venue API health', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual([
      'bourse-market-data',
      'bourse-operations',
      'bourse-strategy',
      'bourse-venue-api',
    ]);
  });

  it('per strategy: a Strategy variable from a label the metric has, and every panel filtered by it', () => {
    const dashboard: Dashboard = dashboards.find((d) => d.dashboard.uid === 'bourse-strategy')?.dashboard ?? {};
    const variable = dashboard.templating?.list?.find((v) => v.name === 'strategy');
    expect(variable?.type).toBe('query');
    expect(variable?.datasource?.uid).toBe(PROMETHEUS_UID);
    const query = typeof variable?.query === 'string' ? variable.query : (variable?.query?.query ?? '');
    const m = /^label_values\((bourse_\w+),\s*(\w+)\)$/.exec(query);
    expect(m, `variable query ${query}`).not.toBeNull();
    const def = source.definitions.get(m?.[1] as string);
    expect(def?.labels, `${m?.[1]} labels`).toContain(m?.[2]);
    for (const q of panelQueries([{ file: 'bourse-strategy.json', dashboard }])) {
      expect(q.expr, q.where).toContain('"$strategy"');
    }
  });

  it('link latency panels to the traces in Jaeger', () => {
    const jaegerUid = datasourceOfType('jaeger')[0]?.uid ?? '';
    const linked = dashboards.flatMap(({ dashboard }) =>
      (dashboard.panels ?? []).filter((p) =>
        ((p as { links?: { url?: string }[] }).links ?? []).some((l) =>
          decodeURIComponent(l.url ?? '').includes(`"datasource":"${jaegerUid}"`),
        ),
      ),
    );
    expect(linked.map((p) => p.title)).toEqual(
      expect.arrayContaining(['Decision to acknowledgement latency', 'Submission to acknowledgement latency']),
    );
  });
});

describe('metrics the dashboards and alert rules query', () => {
  const queries = [...panelQueries(), ...alertRuleQueries()];

  it('include every alert rule', () => {
    expect(alertRuleQueries().length).toBeGreaterThanOrEqual(8);
  });
  const source = sourceDefinitions();

  it('are defined in the source: every bourse_* name is a string literal in a non-test file', () => {
    const names = dashboardMetricNames();
    expect(names.length, 'bourse_* metrics in the dashboards').toBeGreaterThan(0);
    const missing = queries.flatMap((q) =>
      metricNamesIn(q.expr)
        .map(baseMetricName)
        .filter((n) => n.startsWith('bourse_') && !source.literals.has(n))
        .map((n) => `${q.where}: ${n}`),
    );
    expect(missing, `metrics no file under services/ or libs/ defines:\n${missing.join('\n')}\n`).toEqual([]);
  });

  it('keep dashboardMetricNames() honest: no Bourse metric is named like a histogram series', () => {
    // baseMetricName strips _bucket/_sum/_count; a counter or gauge named that way would be mangled.
    const clashing = [...source.literals.keys()].filter((n) => baseMetricName(n) !== n);
    expect(clashing, `bourse_* names ending in _bucket, _sum or _count: ${clashing.join(', ')}`).toEqual([]);
  });

  it('are used as their type allows, and only with labels they have', async () => {
    const defaults = await defaultMetricDefinitions();
    const problems: string[] = [];
    const lookUp = (q: PanelQuery, written: string): Definition | undefined => {
      const base = baseMetricName(written);
      const def = defaults.get(written) ?? defaults.get(base) ?? source.definitions.get(base);
      if (def === undefined) {
        const why = written.startsWith('bourse_')
          ? source.literals.has(base)
            ? `cannot tell from ${source.literals.get(base)} whether it is a counter, gauge or histogram`
            : 'not defined'
          : 'not among the default metrics libs/telemetry registers';
        problems.push(`${q.where}: ${written}: ${why}`);
      }
      return def;
    };

    for (const q of queries) {
      const available = new Set(SERIES_LABELS);
      for (const written of metricNamesIn(q.expr)) {
        const def = lookUp(q, written);
        if (def === undefined) continue;
        def.labels.forEach((l) => available.add(l));
        const own = new Set([...SERIES_LABELS, ...def.labels, ...(def.type === 'histogram' ? ['le'] : [])]);
        if (def.type === 'histogram') available.add('le');

        for (const m of q.expr.matchAll(new RegExp(`\\b${written}\\b(\\{[^}]*\\})?`, 'g'))) {
          const around = enclosingFunctions(q.expr, m.index);
          const inner = around[0] ?? '';
          const counted = ['rate', 'irate', 'increase'].includes(inner);
          if (def.type === 'counter' && !counted) {
            problems.push(
              `${q.where}: counter ${written} must be read through rate() or increase(), not ${inner || 'bare'}`,
            );
          }
          if (def.type === 'gauge' && (counted || around.includes('histogram_quantile'))) {
            problems.push(`${q.where}: gauge ${written} inside ${inner}()`);
          }
          if (def.type === 'histogram') {
            if (written.endsWith('_bucket')) {
              if (!counted || !around.includes('histogram_quantile')) {
                problems.push(`${q.where}: ${written} belongs in histogram_quantile(…, rate(…_bucket[…]))`);
              }
            } else if (!/_(sum|count)$/.test(written) || !counted) {
              problems.push(`${q.where}: histogram ${written} is read through its _bucket, _sum or _count series`);
            }
          }
          for (const matcher of (m[1] ?? '').matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g)) {
            if (!own.has(matcher[1] as string)) {
              problems.push(`${q.where}: ${written} has no label "${matcher[1]}" (it has ${[...own].join(', ')})`);
            }
          }
        }
      }
      for (const label of groupingLabels(q.expr)) {
        if (!available.has(label)) problems.push(`${q.where}: groups by "${label}", which none of its metrics has`);
      }
      const kept = resultLabels(q.expr) ?? [...available];
      for (const m of q.legendFormat.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
        if (!kept.includes(m[1] as string)) {
          problems.push(`${q.where}: legend uses {{${m[1]}}} but the result keeps only [${kept.join(', ')}]`);
        }
      }
    }
    expect(problems, `misused metrics or labels:\n${problems.join('\n')}\n`).toEqual([]);
  });

  it('cover every platform service with at least one panel of its own metrics', () => {
    // A service whose metrics appear nowhere would be scraped for nothing; tie each to the files that
    // define what it exports.
    const used = new Set(dashboardMetricNames());
    for (const service of SERVICES) {
      const own = [...source.literals.entries()]
        .filter(([, file]) => file.startsWith(`services/${service}/`))
        .map(([name]) => name);
      expect(
        own.filter((n) => used.has(n)),
        `dashboard metrics defined under services/${service}`,
      ).not.toEqual([]);
    }
  });
});
