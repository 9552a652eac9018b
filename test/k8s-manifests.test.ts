// Static checks of the Kubernetes manifests under k8s/ (no cluster, no kubectl): every YAML document
// parses; each Deployment hands its service only variables that service reads, and on the sim the
// same ones `bourse start` hands it; probes and scrape annotations point at the declared ops port;
// secrets appear only as secretKeyRef references; the mounted files equal what `bourse start` writes
// from the platform config; kustomizations list files that exist.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUS_ROLES, NATS_REPLICAS_ENV, passwordVariable, renderNatsAuthorization } from '@bourse/bus';
import { createSubjects } from '@bourse/contracts';
import { credentialEnvNames, RateBudgetEnv } from '@bourse/venue-binance';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { loadPlatformConfig, launchPlan, OPS_ENV, simArguments } from '@bourse/cli';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const K8S = join(ROOT, 'k8s');
const SERVICES = ['order-manager', 'reconciler', 'risk-gate', 'market-data', 'strategy-runner'] as const;
type Service = (typeof SERVICES)[number];

interface EnvVar {
  name: string;
  value?: unknown;
  valueFrom?: { secretKeyRef?: { name?: string; key?: string } };
  $patch?: string;
}
interface Probe {
  httpGet?: { path?: string; port?: string | number };
}
interface Container {
  name: string;
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: unknown; limits?: unknown };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
}
interface Doc {
  file: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: {
    template?: {
      metadata?: { annotations?: Record<string, string> };
      spec?: { containers?: Container[]; securityContext?: { runAsNonRoot?: boolean } };
    };
  };
  data?: unknown;
  stringData?: unknown;
  [key: string]: unknown;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry) ? [path] : [];
  });
}

function loadDocs(): Doc[] {
  return yamlFiles(K8S).flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${relative(ROOT, file)}: ${doc.errors[0]?.message}`);
      return { ...(doc.toJS() as object), file: relative(K8S, file) } as Doc;
    }),
  );
}

/**
 * The variables a service's config module reads: the keys of its Env schema (two-space-indented
 * `NAME:` lines) and, where it loads venue credentials, the Binance adapter's key variables; plus what
 * the shared libraries read for every service: the bus's stream replicas and the OTLP endpoint.
 */
function variablesRead(configText: string): Set<string> {
  const names = new Set([...configText.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1] as string));
  names.add(NATS_REPLICAS_ENV);
  // The bus's credentials (busCredentialsFromEnv): each service connects as its own NATS user.
  names.add('NATS_USER');
  names.add('NATS_PASSWORD');
  names.add('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (configText.includes('credentialEnvNames(')) {
    for (const target of ['sim', 'testnet', 'mainnet'] as const) {
      for (const name of Object.values(credentialEnvNames(target))) names.add(name);
    }
  }
  // The venue rate budget's variables, one schema spread into every venue-facing service's.
  if (configText.includes('...RateBudgetEnv')) for (const name of Object.keys(RateBudgetEnv)) names.add(name);
  return names;
}

const readText = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const SIM_CONFIG = readText('services/exchange-sim/src/config.ts');
const READS: Record<Service | 'exchange-sim', Set<string>> = {
  ...(Object.fromEntries(SERVICES.map((s) => [s, variablesRead(readText(`services/${s}/src/config.ts`))])) as Record<
    Service,
    Set<string>
  >),
  // The sim reads only its key pair from the environment (everything else is a flag).
  'exchange-sim': new Set(
    [...SIM_CONFIG.matchAll(/^export const API_(?:KEY|SECRET)_ENV = '([A-Z_]+)';/gm)].map((m) => m[1] as string),
  ),
};

const docs = loadDocs();
const deployments = docs.filter((d) => d.kind === 'Deployment');
const baseDeployment = (name: string): Doc => {
  const found = deployments.find((d) => d.metadata?.name === name && d.file.startsWith('base/'));
  if (found === undefined) throw new Error(`no Deployment ${name} under k8s/base`);
  return found;
};
const containerOf = (d: Doc): Container => {
  const c = d.spec?.template?.spec?.containers?.[0];
  if (c === undefined) throw new Error(`${d.file}: Deployment ${d.metadata?.name} has no container`);
  return c;
};
const SECRETISH = /(?:_KEY|_SECRET|PASSWORD|TOKEN|_PEM)$|^DATABASE_URL$/;

describe('k8s manifests', () => {
  it('parse, and the base holds a Deployment for every service and the sim', () => {
    expect(docs.length).toBeGreaterThan(15);
    const names = deployments.filter((d) => d.file.startsWith('base/')).map((d) => d.metadata?.name);
    expect(names.sort()).toEqual([...SERVICES, 'exchange-sim'].sort());
    expect(baseDeployment('strategy-runner').spec).toMatchObject({ replicas: 2 });
    const statefulSets = docs
      .filter((d) => d.kind === 'StatefulSet' && d.file.startsWith('base/'))
      .map((d) => d.metadata?.name);
    expect(statefulSets.sort()).toEqual(['nats', 'postgres', 'redis']);
  });

  it('each Deployment (base and overlay patches) sets only variables its service reads', () => {
    for (const d of deployments) {
      const name = d.metadata?.name as Service | 'exchange-sim';
      const reads = READS[name];
      expect(reads, `${d.file}: unknown service ${name}`).toBeDefined();
      expect(reads.size, `no variables found for ${name}`).toBeGreaterThan(0);
      const env = d.spec?.template?.spec?.containers?.flatMap((c) => c.env ?? []) ?? [];
      for (const v of env) expect(reads.has(v.name), `${d.file}: ${name} does not read ${v.name}`).toBe(true);
    }
  });

  it('on the sim, each service gets exactly what `bourse start` hands it (plus its key pair), same ops ports', () => {
    const { config } = loadPlatformConfig({ root: ROOT, env: {} });
    const plan = launchPlan(config, '/etc/bourse');
    const keys = Object.values(credentialEnvNames('sim'));
    for (const service of SERVICES) {
      const env = containerOf(baseDeployment(service)).env ?? [];
      const names = env.map((v) => v.name);
      expect(new Set(names).size, `${service}: duplicate variable`).toBe(names.length);
      // Plus the NATS user `bourse start` hands it when it runs NATS with permissions (natsEnvOf).
      const expected = [...Object.keys(plan.serviceEnv[service]), 'NATS_USER', 'NATS_PASSWORD'];
      expect(names.filter((n) => !keys.includes(n)).sort(), service).toEqual([...expected].sort());
      const port = env.find((v) => v.name === OPS_ENV[service].port)?.value;
      expect(port, service).toBe(plan.serviceEnv[service][OPS_ENV[service].port]);
      // The mounted files are where the plan puts them (stateDir /etc/bourse).
      for (const v of env.filter((e) => /_FILE$/.test(e.name))) {
        expect(v.value, `${service} ${v.name}`).toBe(plan.serviceEnv[service][v.name]);
      }
    }
  });

  it('the sim runs with the arguments `bourse start` gives it, except host and state file', () => {
    const { config } = loadPlatformConfig({ root: ROOT, env: {} });
    const args = containerOf(baseDeployment('exchange-sim')).args ?? [];
    const flags = (list: readonly string[]): Map<string, string> => {
      const out = new Map<string, string>();
      list.forEach((a, i) => {
        if (a.startsWith('--')) out.set(a, list[i + 1]?.startsWith('--') === false ? (list[i + 1] as string) : '');
      });
      return out;
    };
    const want = flags(simArguments(config, '/state'));
    const got = flags(args);
    expect(args[0]).toBe('services/exchange-sim/src/main.ts');
    expect(got.get('--host')).toBe('0.0.0.0');
    for (const drop of ['--host', '--state-file']) {
      want.delete(drop);
      got.delete(drop);
    }
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
  });

  it('probes and scrape annotations point at the declared ops port', () => {
    for (const service of SERVICES) {
      const d = baseDeployment(service);
      const c = containerOf(d);
      const port = Number(c.env?.find((v) => v.name === OPS_ENV[service].port)?.value);
      const ops = c.ports?.find((p) => p.name === 'ops');
      expect(ops?.containerPort, service).toBe(port);
      for (const [probe, path] of [
        [c.livenessProbe, '/healthz'],
        [c.readinessProbe, '/readyz'],
      ] as const) {
        expect(probe?.httpGet, `${service} ${path}`).toBeDefined();
        expect(probe?.httpGet?.path).toBe(path);
        expect([port, 'ops']).toContain(probe?.httpGet?.port);
      }
      const annotations = d.spec?.template?.metadata?.annotations ?? {};
      expect(annotations['prometheus.io/port'], service).toBe(String(port));
      expect(annotations['prometheus.io/path'], service).toBe('/metrics');
      // Every service is scraped, so its ops server listens beyond loopback.
      expect(annotations['prometheus.io/scrape'], service).toBe('true');
      const host = c.env?.find((v) => v.name === OPS_ENV[service].host)?.value;
      expect(host, `${service} is scraped but its ops server binds loopback`).toBe('0.0.0.0');
    }
  });

  it('every Deployment runs non-root, read-only, with requests and limits', () => {
    for (const d of deployments.filter((x) => x.file.startsWith('base/'))) {
      expect(d.spec?.template?.spec?.securityContext?.runAsNonRoot, d.metadata?.name).toBe(true);
      const c = containerOf(d);
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(c.resources?.requests, d.metadata?.name).toBeDefined();
      expect(c.resources?.limits, d.metadata?.name).toBeDefined();
    }
  });

  it('every strategy runner reads its strategies file from a read-only mount, with /tmp writable', () => {
    // The base (/etc/bourse, the platform's ConfigMap) and the user-strategies overlay (/strategies).
    const runners = deployments.filter((d) => d.metadata?.name === 'strategy-runner');
    const files = runners.map((d) => d.file).sort();
    expect(files).toEqual(
      expect.arrayContaining(['base/services/strategy-runner.yaml', 'overlays/user-strategies/strategy-runner.yaml']),
    );
    const mounted = new Map<string, string>();
    for (const d of runners) {
      const c = containerOf(d) as Container & { volumeMounts?: { mountPath: string; readOnly?: boolean }[] };
      const file = c.env?.find((v) => v.name === 'STRATEGIES_FILE')?.value;
      if (typeof file !== 'string') continue; // a patch that leaves the file as the base has it
      const mount = c.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
      expect(mount, `${d.file}: STRATEGIES_FILE ${file} is not under a mount`).toBeDefined();
      expect(mount?.readOnly, `${d.file}: ${mount?.mountPath}`).toBe(true);
      mounted.set(d.file, file);
    }
    expect(mounted.get('base/services/strategy-runner.yaml')).toBe('/etc/bourse/strategies.yaml');
    expect(mounted.get('overlays/user-strategies/strategy-runner.yaml')).toBe('/strategies/strategies.yaml');
    const base = containerOf(baseDeployment('strategy-runner')) as Container & {
      volumeMounts?: { mountPath: string }[];
    };
    expect(base.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(base.volumeMounts?.map((m) => m.mountPath)).toContain('/tmp');
  });

  it('each service connects to NATS as its own libs/bus user, and every NATS server knows those users', () => {
    for (const service of SERVICES) {
      const env = containerOf(baseDeployment(service)).env ?? [];
      expect(BUS_ROLES, service).toContain(service);
      expect(env.find((v) => v.name === 'NATS_USER')?.value, service).toBe(service);
      expect(env.find((v) => v.name === 'NATS_PASSWORD')?.valueFrom?.secretKeyRef, service).toEqual({
        name: 'bourse-secrets',
        key: `nats-password-${service}`,
      });
    }
    const servers = docs.filter((d) => d.kind === 'StatefulSet' && d.metadata?.name === 'nats');
    expect(servers.map((d) => d.file).sort()).toEqual(['base/servers/nats.yaml', 'overlays/live/nats-cluster.yaml']);
    for (const d of servers) {
      const env = containerOf(d).env ?? [];
      for (const role of BUS_ROLES) {
        expect(
          env.find((v) => v.name === passwordVariable(role))?.valueFrom?.secretKeyRef,
          `${d.file} ${role}`,
        ).toEqual({ name: 'bourse-secrets', key: `nats-password-${role}` });
      }
    }
    // Each NATS config includes the users rendered from libs/bus, and fsyncs before acknowledging.
    for (const [conf, dir] of [
      ['base/servers/nats.conf', 'base/servers'],
      ['overlays/live/nats-cluster.conf', 'overlays/live'],
    ] as const) {
      const text = readFileSync(join(K8S, conf), 'utf8');
      expect(text, conf).toMatch(/^include \.\/auth\.conf$/m);
      expect(text, conf).toMatch(/^\s*sync_interval: always$/m);
      expect(readFileSync(join(K8S, dir, 'auth.conf'), 'utf8'), dir).toBe(renderNatsAuthorization(createSubjects()));
    }
  });

  it('no Secret holds data and no variable carries a secret value', () => {
    for (const d of docs.filter((x) => x.kind === 'Secret')) {
      expect(d.data ?? d.stringData, `${d.file}: Secret with data`).toBeUndefined();
    }
    const workloads = docs.filter((d) => d.kind === 'Deployment' || d.kind === 'StatefulSet');
    for (const d of workloads) {
      for (const v of d.spec?.template?.spec?.containers?.flatMap((c) => c.env ?? []) ?? []) {
        if (v.$patch === 'delete') continue;
        if (SECRETISH.test(v.name)) {
          expect(v.value, `${d.file}: ${v.name} must come from a secretKeyRef`).toBeUndefined();
          expect(v.valueFrom?.secretKeyRef?.name, `${d.file}: ${v.name}`).toBe('bourse-secrets');
          continue;
        }
        if (v.value === undefined) continue;
        const value = String(v.value);
        // A long run of key characters with digits in it, not a path: what API keys and secrets look like.
        const keyLike = !value.startsWith('/') && /\d/.test(value) && /^[A-Za-z0-9+/=_-]{24,}$/.test(value);
        expect(keyLike, `${d.file}: ${v.name} looks like a key`).toBe(false);
        if (/^[a-z]+:\/\//.test(value)) expect(new URL(value).password, `${d.file}: ${v.name}`).toBe('');
      }
    }
  });

  it('the mounted files equal what `bourse start` writes from the matching platform config', () => {
    for (const [dir, file] of [
      ['base/config', undefined],
      ['overlays/testnet/config', 'config/bourse.testnet.example.yaml'],
      // The live overlay starts from the testnet example's conservative strategies and limits.
      ['overlays/live/config', 'config/bourse.testnet.example.yaml'],
    ] as const) {
      const { config } = loadPlatformConfig({ root: ROOT, file, env: {} });
      const plan = launchPlan(config, '/etc/bourse');
      for (const name of ['strategies.yaml', 'risk-limits.yaml', 'reconciler.json']) {
        const generated = plan.files.find((f) => f.path === `/etc/bourse/${name}`);
        expect(generated, `${dir}/${name}`).toBeDefined();
        const mine: unknown = parseYaml(readFileSync(join(K8S, dir, name), 'utf8'));
        expect(mine, `${dir}/${name}`).toEqual(parseYaml(generated?.content ?? ''));
      }
    }
  });

  it('kustomizations list files and folders that exist', () => {
    const kustomizations = docs.filter((d) => d.kind === 'Kustomization');
    expect(kustomizations.length).toBe(7);
    for (const k of kustomizations) {
      const here = dirname(join(K8S, k.file));
      const listed = [
        ...((k['resources'] as string[] | undefined) ?? []),
        ...((k['patches'] as { path?: string }[] | undefined) ?? []).flatMap((p) => (p.path ? [p.path] : [])),
        // `key=path` names the entry; the file is the path.
        ...((k['configMapGenerator'] as { files?: string[] }[] | undefined) ?? [])
          .flatMap((g) => g.files ?? [])
          .map((f) => f.replace(/^[^=]+=/, '')),
      ];
      expect(listed.length, k.file).toBeGreaterThan(0);
      for (const path of listed) expect(existsSync(join(here, path)), `${k.file}: ${path}`).toBe(true);
    }
    // Every manifest file is reachable from some kustomization.
    const listedFiles = new Set(
      kustomizations.flatMap((k) => {
        const here = dirname(join(K8S, k.file));
        return [
          ...((k['resources'] as string[] | undefined) ?? []),
          ...((k['patches'] as { path?: string }[] | undefined) ?? []).flatMap((p) => (p.path ? [p.path] : [])),
          // A ConfigMap's files (a YAML strategies file among them).
          ...((k['configMapGenerator'] as { files?: string[] }[] | undefined) ?? [])
            .flatMap((g) => g.files ?? [])
            .map((f) => f.replace(/^[^=]+=/, '')),
        ].map((p) => relative(K8S, join(here, p)));
      }),
    );
    for (const file of new Set(docs.filter((d) => d.kind !== 'Kustomization').map((d) => d.file))) {
      if (file.includes('/config/')) continue;
      expect(listedFiles.has(file), `${file} is in no kustomization`).toBe(true);
    }
  });
});
