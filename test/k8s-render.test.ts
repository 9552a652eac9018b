// Every kustomization under k8s/ rendered the way a user applies it (`kubectl kustomize`), and every
// object it yields validated offline against the Kubernetes OpenAPI schemas (the kubernetes-models
// package's validate(); no cluster). Then what the rendered overlays must hold: requests and limits on
// every container, a default-deny NetworkPolicy and a disruption budget per workload, scrape
// annotations; in the live overlay a three-node NATS JetStream cluster with routes to each server,
// replicas 3 for every stream and bucket, one strategy runner per instrument and no simulator; and the
// PrometheusRule equal to the alert rules promtool tests.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BUS_ROLES, NATS_REPLICAS_ENV, passwordVariable, renderNatsAuthorization } from '@bourse/bus';
import { createSubjects } from '@bourse/contracts';
import { loadStrategiesFile } from '@bourse/strategy-runner';
import { credentialEnvNames } from '@bourse/venue-binance';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { RULES_FILE } from './support/dashboard-metrics.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OVERLAYS = ['sim', 'testnet', 'live', 'user-strategies'] as const;
type Overlay = (typeof OVERLAYS)[number];
const run = promisify(execFile);

interface Container {
  name: string;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: { readOnlyRootFilesystem?: boolean };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; configMap?: { name: string }; emptyDir?: unknown }[];
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: {
    replicas?: number;
    serviceName?: string;
    podManagementPolicy?: string;
    clusterIP?: string;
    publishNotReadyAddresses?: boolean;
    selector?: { matchLabels?: Record<string, string> };
    podSelector?: Record<string, unknown>;
    policyTypes?: string[];
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: PodSpec };
    groups?: unknown;
  };
  data?: Record<string, string>;
}

async function render(dir: string): Promise<K8sObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await run('kubectl', ['kustomize', join(ROOT, dir)], { maxBuffer: 32 * 1024 * 1024 }));
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error('kubectl is not installed; rendering the overlays needs `kubectl kustomize` (kustomize v5)');
    }
    throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`);
  }
  return parseAllDocuments(stdout).map((d) => d.toJS() as K8sObject);
}

/** The kubernetes-models class for an object: `kubernetes-models/<group>/<version>/<Kind>`. */
async function validate(obj: K8sObject): Promise<void> {
  const path = obj.apiVersion.includes('/') ? obj.apiVersion : `v1`;
  const mod = (await import(`kubernetes-models/${path}/${obj.kind}`)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = mod[obj.kind];
  if (Model === undefined) throw new Error(`kubernetes-models has no ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}

const rendered = {} as Record<Overlay | 'monitoring', K8sObject[]>;
beforeAll(async () => {
  for (const overlay of OVERLAYS) rendered[overlay] = await render(`k8s/overlays/${overlay}`);
  rendered.monitoring = await render('k8s/monitoring');
}, 60_000);

const workloads = (objects: K8sObject[]) => objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
const containersOf = (o: K8sObject): Container[] => [
  ...(o.spec?.template?.spec?.containers ?? []),
  ...(o.spec?.template?.spec?.initContainers ?? []),
];
const named = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
};
const envOf = (o: K8sObject, name: string) => containersOf(o)[0]?.env?.find((e) => e.name === name);

describe.each(OVERLAYS)('k8s/overlays/%s rendered', (overlay) => {
  it('validates, object by object, against the Kubernetes schemas', async () => {
    const objects = rendered[overlay];
    expect(objects.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const obj of objects) {
      try {
        await validate(obj);
      } catch (err) {
        problems.push(`${obj.kind} ${obj.metadata.name}: ${(err as Error).message}`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('runs NATS with the libs/bus users, fsync before ack, and each service as its own user', () => {
    const objects = rendered[overlay];
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('nats-config'));
    expect(config?.data?.['auth.conf']).toBe(renderNatsAuthorization(createSubjects()));
    expect(config?.data?.['nats.conf']).toMatch(/^include \.\/auth\.conf$/m);
    expect(config?.data?.['nats.conf']).toMatch(/^\s*sync_interval: always$/m);
    const nats = named(objects, 'StatefulSet', 'nats');
    for (const role of BUS_ROLES) expect(envOf(nats, passwordVariable(role))?.valueFrom, role).toBeDefined();
    for (const d of objects.filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'exchange-sim')) {
      const role = d.metadata.name;
      expect(BUS_ROLES, role).toContain(role);
      expect(envOf(d, 'NATS_USER')?.value, role).toBe(role);
      expect(envOf(d, 'NATS_PASSWORD')?.valueFrom, role).toEqual({
        secretKeyRef: { name: 'bourse-secrets', key: `nats-password-${role}` },
      });
    }
  });

  it('gives every container requests and limits for CPU and memory', () => {
    for (const w of workloads(rendered[overlay])) {
      for (const c of containersOf(w)) {
        for (const kind of ['requests', 'limits'] as const) {
          expect(Object.keys(c.resources?.[kind] ?? {}).sort(), `${w.metadata.name}/${c.name} ${kind}`).toEqual([
            'cpu',
            'memory',
          ]);
        }
      }
    }
  });

  it('denies all traffic by default, and each workload has a disruption budget selecting it', () => {
    const objects = rendered[overlay];
    const deny = named(objects, 'NetworkPolicy', 'default-deny');
    expect(deny.spec?.podSelector).toEqual({});
    expect(deny.spec?.policyTypes?.sort()).toEqual(['Egress', 'Ingress']);
    const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget');
    for (const w of workloads(objects)) {
      const labels = w.spec?.template?.metadata?.labels ?? {};
      const covering = budgets.filter((b) =>
        Object.entries(b.spec?.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v),
      );
      expect(covering.length, `${w.kind} ${w.metadata.name} budgets`).toBe(1);
    }
    // No budget is left for a workload the overlay removed.
    for (const b of budgets) {
      const selects = workloads(objects).some((w) =>
        Object.entries(b.spec?.selector?.matchLabels ?? {}).every(
          ([k, v]) => w.spec?.template?.metadata?.labels?.[k] === v,
        ),
      );
      expect(selects, `PodDisruptionBudget ${b.metadata.name} selects nothing`).toBe(true);
    }
  });

  it('lets Prometheus scrape every service on its ops port, as its annotations say', () => {
    const objects = rendered[overlay];
    const scrape = named(objects, 'NetworkPolicy', 'metrics-scrape-ingress');
    expect(JSON.stringify(scrape)).toContain('"port":"ops"');
    for (const d of objects.filter(
      (o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'service',
    )) {
      expect(d.spec?.template?.metadata?.annotations?.['prometheus.io/scrape'], d.metadata.name).toBe('true');
    }
  });
});

describe('k8s/overlays/live', () => {
  const live = () => rendered.live;

  it('runs NATS as a three-node JetStream cluster with a route to every server', () => {
    const nats = named(live(), 'StatefulSet', 'nats');
    expect(nats.spec?.replicas).toBe(3);
    expect(nats.spec?.podManagementPolicy).toBe('Parallel');
    const headless = named(live(), 'Service', nats.spec?.serviceName as string);
    expect(headless.spec?.clusterIP).toBe('None');
    expect(headless.spec?.publishNotReadyAddresses).toBe(true);
    const conf = live().find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('nats-config'))?.data?.[
      'nats.conf'
    ];
    expect(conf).toContain('jetstream {');
    expect(conf).toMatch(/server_name: \$POD_NAME/);
    expect(envOf(nats, 'POD_NAME')).toBeDefined();
    const routes = [...(conf ?? '').matchAll(/nats:\/\/([\w.-]+):6222/g)].map((m) => m[1]);
    expect(routes).toEqual([0, 1, 2].map((i) => `nats-${i}.${nats.spec?.serviceName}`));
    expect(named(live(), 'PodDisruptionBudget', 'nats').spec).toMatchObject({ maxUnavailable: 1 });
  });

  it('creates every stream and bucket with 3 replicas, and sends traces to a collector', () => {
    for (const d of live().filter((o) => o.kind === 'Deployment')) {
      expect(envOf(d, NATS_REPLICAS_ENV)?.value, d.metadata.name).toBe('3');
      expect(envOf(d, 'OTEL_EXPORTER_OTLP_ENDPOINT')?.value, d.metadata.name).toMatch(/^http:\/\/[\w.-]+:4318$/);
    }
  });

  it('trades mainnet without a simulator, managed servers from the Secret, and asks a person to resume', () => {
    const objects = live();
    expect(objects.some((o) => o.metadata.name.startsWith('exchange-sim'))).toBe(false);
    expect(objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name)).toEqual(['nats']);
    expect(objects.every((o) => o.kind === 'Namespace' || o.metadata.namespace === 'bourse-live')).toBe(true);
    const keys = credentialEnvNames('mainnet');
    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      const env = containersOf(d)[0]?.env ?? [];
      expect(
        env.filter((e) => e.name.includes('_SIM_')).map((e) => e.name),
        d.metadata.name,
      ).toEqual([]);
      const redis = envOf(d, 'REDIS_URL');
      expect(redis?.value, d.metadata.name).toBeUndefined();
      expect(redis?.valueFrom, d.metadata.name).toEqual({ secretKeyRef: { name: 'bourse-secrets', key: 'redis-url' } });
    }
    for (const name of ['order-manager', 'reconciler']) {
      const d = named(objects, 'Deployment', name);
      expect(envOf(d, keys.apiKey)?.valueFrom, name).toBeDefined();
    }
    expect(envOf(named(objects, 'Deployment', 'reconciler'), 'RECON_ACTIVATE_ON_FIRST_PASS')?.value).toBe('false');
  });

  it('runs one strategy runner per instrument the gateway streams', () => {
    const instruments = envOf(named(live(), 'Deployment', 'market-data'), 'MD_INSTRUMENTS')?.value?.split(',') ?? [];
    expect(instruments.length).toBeGreaterThan(1);
    expect(named(live(), 'Deployment', 'strategy-runner').spec?.replicas).toBe(instruments.length);
  });
});

describe('k8s/overlays/user-strategies', () => {
  const objects = () => rendered['user-strategies'];
  const runner = () => named(objects(), 'Deployment', 'strategy-runner');

  it("mounts the user's strategies ConfigMap read-only, STRATEGIES_FILE inside it, root filesystem read-only", () => {
    const spec = runner().spec?.template?.spec;
    const container = containersOf(runner())[0];
    const file = envOf(runner(), 'STRATEGIES_FILE')?.value ?? '';
    const mount = container?.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
    expect(mount).toMatchObject({ name: 'strategies', mountPath: '/strategies', readOnly: true });
    const volume = spec?.volumes?.find((v) => v.name === mount?.name);
    const configMap = named(objects(), 'ConfigMap', volume?.configMap?.name ?? '');
    // The generated name (content hash) is the one the Deployment mounts, so a change rolls the pods.
    expect(configMap.metadata.name).toMatch(/^bourse-strategies-[a-z0-9]+$/);
    // The file the runner reads is a key of the ConfigMap (a ConfigMap volume is flat).
    expect(Object.keys(configMap.data ?? {})).toContain(file.slice('/strategies/'.length));
    expect(container?.securityContext?.readOnlyRootFilesystem).toBe(true);
    const tmp = container?.volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(spec?.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    // The other services still read the platform's files, and the sim overlay is otherwise unchanged.
    expect(rendered.sim.find((o) => o.metadata.name.startsWith('bourse-strategies'))).toBeUndefined();
    expect(envOf(named(rendered.sim, 'Deployment', 'strategy-runner'), 'STRATEGIES_FILE')?.value).toBe(
      '/etc/bourse/strategies.yaml',
    );
  });

  it('holds examples/strategies in the ConfigMap, and that ConfigMap, as the kubelet mounts it, loads', async () => {
    const configMap = objects().find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('bourse-strategies'));
    const data = configMap?.data ?? {};
    const example = join(ROOT, 'examples/strategies');
    expect(Object.keys(data).sort()).toEqual(readdirSync(example).sort());
    for (const [key, text] of Object.entries(data)) expect(text, key).toBe(readFileSync(join(example, key), 'utf8'));
    // Written as a ConfigMap volume holds it (keys symlinked through ..data) and read from the path the
    // runner is given, with the runner's own loader.
    const mount = mkdtempSync(join(tmpdir(), 'bourse-k8s-strategies-'));
    try {
      mkdirSync(join(mount, '..2026_12_07'));
      for (const [key, text] of Object.entries(data)) writeFileSync(join(mount, '..2026_12_07', key), text);
      symlinkSync('..2026_12_07', join(mount, '..data'));
      for (const key of Object.keys(data)) symlinkSync(join('..data', key), join(mount, key));
      const file = envOf(runner(), 'STRATEGIES_FILE')?.value ?? '';
      const loaded = await loadStrategiesFile(join(mount, file.slice('/strategies/'.length)));
      expect(loaded.refused).toEqual([]);
      expect(loaded.strategies.map((s) => s.id)).toEqual(['mr-btc']);
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  });
});

describe('k8s/monitoring', () => {
  it('holds a PrometheusRule with exactly the alert rules promtool tests', () => {
    const [rule, ...rest] = rendered.monitoring;
    expect(rest).toEqual([]);
    expect(rule?.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule?.kind).toBe('PrometheusRule');
    const rules = parseYaml(readFileSync(join(ROOT, RULES_FILE), 'utf8')) as { groups: unknown };
    expect(rule?.spec?.groups).toEqual(rules.groups);
  });
});
