// Static checks of docker-compose.yml and the root Dockerfile (no Docker engine runs here, so neither
// has been run by this test): the whole platform starts with a plain `docker compose up` on the
// compose network; each Bourse service gets exactly the variables `bourse start` hands it (plus its
// sim key pair and the OTLP endpoint; its own NATS user, the password from .env), pointed at the compose names instead of loopback; ports, images,
// health checks and the start order by health agree with each other; the image is multi-stage,
// non-root and installs production dependencies only.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUS_ROLES, passwordVariable, type BusRole } from '@bourse/bus';
import { loadStrategiesFile } from '@bourse/strategy-runner';
import { credentialEnvNames } from '@bourse/venue-binance';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadPlatformConfig, type OpsService, launchPlan, OPS_ENV, simArguments, PLATFORM_SERVICES } from '@bourse/cli';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const readText = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string };
  profiles?: string[];
  network_mode?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  read_only?: boolean;
  tmpfs?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[]; interval?: string; retries?: number };
  restart?: string;
}
const compose = parseYaml(readText('docker-compose.yml')) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, unknown>;
};
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

const { config } = loadPlatformConfig({ root: ROOT, env: {} });
const STATE_DIR = '/etc/bourse';
const plan = launchPlan(config, STATE_DIR);
const SERVICES = Object.keys(plan.serviceEnv) as OpsService[];
const SIM_KEYS = credentialEnvNames('sim');
// Who signs venue requests with the sim key pair (as in k8s/base).
const SIGNING: readonly OpsService[] = ['order-manager', 'reconciler'];
const SERVERS = { nats: 4222, postgres: 5432, redis: 6379 } as const;

/**
 * A compose value as `docker compose` interpolates it: `${VAR:-default}` and `${VAR}` from `env` (the
 * shell or .env), `$$` an escaped `$`.
 */
function interpolate(value: string, env: Record<string, string> = {}): string {
  return value
    .replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => {
      const set = env[name];
      return set !== undefined && set !== '' ? set : (fallback ?? '');
    })
    .replace(/\$\$/g, '$');
}

/** A service's mounts once interpolated: `[source, target, mode]`. */
const mountsOf = (name: string, env: Record<string, string> = {}): string[][] =>
  (service(name).volumes ?? []).map((v) => interpolate(v, env).split(':'));

/** Every service `name` waits for, directly or through the services it waits for. */
function waitsFor(name: string, seen = new Set<string>()): Set<string> {
  for (const dep of Object.keys(service(name).depends_on ?? {})) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    waitsFor(dep, seen);
  }
  return seen;
}

/** The `host:port` a URL value names, or undefined for anything else. */
function hostOf(value: string): { host: string; port: string } | undefined {
  if (!/^[a-z]+:\/\//.test(value)) return undefined;
  const url = new URL(value.replace(/\$\{[^}]*\}/g, ''));
  return { host: url.hostname, port: url.port };
}

describe('docker-compose.yml', () => {
  it('runs the servers, Jaeger, Prometheus, Grafana, the sim and every Bourse service without a profile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['nats', 'postgres', 'redis', 'jaeger', 'prometheus', 'grafana', 'exchange-sim', ...SERVICES].sort(),
    );
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.profiles, `${name} profiles`).toBeUndefined();
      // One compose network, reached by name: works where host networking does not (macOS, Windows).
      expect(s.network_mode, `${name} network_mode`).toBeUndefined();
    }
    for (const name of PLATFORM_SERVICES.map((s) => s.name)) expect(compose.services[name], name).toBeDefined();
  });

  it('gives every container a health check and publishes ports on loopback only', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.healthcheck?.test?.[0], `${name} healthcheck`).toMatch(/^CMD(-SHELL)?$/);
      expect(s.restart, `${name} restart`).toBe('unless-stopped');
      for (const port of s.ports ?? []) expect(port, `${name} port`).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('starts each container only once what it waits for is healthy, in the order `bourse start` uses', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [dep, how] of Object.entries(s.depends_on ?? {})) {
        expect(compose.services[dep], `${name} depends on unknown ${dep}`).toBeDefined();
        expect(how.condition, `${name} → ${dep}`).toBe('service_healthy');
      }
      expect(waitsFor(name).has(name), `${name} waits for itself`).toBe(false);
    }
    // The venue, then the OMS (which migrates the schema), then those reading its tables, strategies last.
    expect(waitsFor('order-manager')).toContain('exchange-sim');
    for (const name of ['reconciler', 'risk-gate']) expect(waitsFor(name), name).toContain('order-manager');
    for (const dep of ['risk-gate', 'market-data']) expect(waitsFor('strategy-runner'), dep).toContain(dep);
    for (const name of ['exchange-sim', ...SERVICES]) expect(waitsFor(name), name).toContain('jaeger');
  });

  it('hands each service exactly what `bourse start` does, plus its sim key pair and the OTLP endpoint', () => {
    for (const name of SERVICES) {
      const env = service(name).environment ?? {};
      const expected = [
        ...Object.keys(plan.serviceEnv[name]),
        ...(SIGNING.includes(name) ? [SIM_KEYS.apiKey, SIM_KEYS.apiSecret] : []),
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        // `bourse start` adds these when it runs NATS with permissions (natsEnvOf).
        'NATS_USER',
        'NATS_PASSWORD',
      ];
      expect(Object.keys(env).sort(), name).toEqual(expected.sort());
      if (SIGNING.includes(name)) {
        // The same pair the sim is given, from the environment or .env, never written here.
        expect(env[SIM_KEYS.apiKey], name).toBe('${BOURSE_SIM_API_KEY:-}');
        expect(env[SIM_KEYS.apiSecret], name).toBe('${BOURSE_SIM_API_SECRET:-}');
      }
      expect(env['OTEL_EXPORTER_OTLP_ENDPOINT'], name).toBe('http://jaeger:4318');
    }
  });

  it('runs NATS with one user per service, each service as its own libs/bus user, every password from .env', () => {
    const nats = service('nats');
    expect(nats.volumes).toContain('./deploy/nats:/etc/nats:ro');
    const script = nats.command?.at(-1) ?? '';
    expect(nats.command?.slice(0, 2)).toEqual(['sh', '-c']);
    expect(script).toMatch(/exec nats-server -c \/etc\/nats\/secured\.conf$/);
    const variables = BUS_ROLES.map((r) => passwordVariable(r));
    // The server gets every password from the environment (.env) and refuses to start on an empty one.
    expect(nats.environment).toEqual(Object.fromEntries(variables.map((v) => [v, `\${${v}:-}`])));
    for (const v of variables) expect(script, v).toContain(`"$\${${v}:?`);
    for (const name of SERVICES) {
      const env = service(name).environment ?? {};
      expect(BUS_ROLES, name).toContain(name);
      expect(env['NATS_USER'], name).toBe(name);
      expect(env['NATS_PASSWORD'], name).toBe(`\${${passwordVariable(name as BusRole)}:-}`);
    }
    // No password literal: every value naming a password is a reference to the environment.
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (/PASSWORD|SECRET/.test(key)) expect(value, `${name} ${key}`).toMatch(/^\$\{[A-Z0-9_]+:-\}$/);
      }
    }
  });

  it('points every URL at a compose service on its container port, and the plain values at what `bourse start` sets', () => {
    const simPort = String(config.sim.port);
    for (const name of SERVICES) {
      const env = service(name).environment ?? {};
      const waits = waitsFor(name);
      for (const [key, planned] of Object.entries(plan.serviceEnv[name])) {
        const value = env[key] as string;
        const target = hostOf(planned);
        if (target === undefined) {
          if (key === OPS_ENV[name].host) expect(value, `${name} ${key}`).toBe('0.0.0.0');
          // A file's path is its mount's (the test of the mounts below); the file is the planned one.
          else if (key.endsWith('_FILE')) expect(value, `${name} ${key}`).toMatch(/^\//);
          else expect(value, `${name} ${key}`).toBe(planned);
          continue;
        }
        const got = hostOf(value);
        expect(got, `${name} ${key}=${value}`).toBeDefined();
        const host = got?.host as string;
        expect(compose.services[host], `${name} ${key}: no compose service ${host}`).toBeDefined();
        expect(waits.has(host), `${name} uses ${host} (${key}) without waiting for it`).toBe(true);
        const port = host === 'exchange-sim' ? simPort : String(SERVERS[host as keyof typeof SERVERS]);
        expect(got?.port || port, `${name} ${key} port`).toBe(port);
        // Same path and scheme as the planned URL: only the host changes.
        expect(value.replace(`${host}:${port}`, 'H').replace(/:\$\{POSTGRES_PASSWORD:-\}/, '')).toBe(
          planned.replace(/127\.0\.0\.1:\d+/, 'H'),
        );
      }
    }
  });

  it('serves each ops port, published on loopback, health-checked at /readyz', () => {
    for (const name of SERVICES) {
      const s = service(name);
      const port = plan.serviceEnv[name][OPS_ENV[name].port] as string;
      expect(s.ports, name).toEqual([`127.0.0.1:${port}:${port}`]);
      expect(s.healthcheck?.test?.slice(0, 3), name).toEqual(['CMD', 'node', '-e']);
      expect(s.healthcheck?.test?.[3], name).toContain(`http://127.0.0.1:${port}/readyz`);
    }
  });

  it('mounts the files the services read where their variables point, from files equal to what `bourse start` writes', () => {
    for (const name of SERVICES) {
      const env = service(name).environment ?? {};
      const files = Object.entries(env).filter(([k]) => k.endsWith('_FILE'));
      const mounts = mountsOf(name);
      for (const [key, value] of files) {
        // With nothing set in the environment (the defaults).
        const path = interpolate(value);
        const mount = mounts.find(([, target]) => path.startsWith(`${target}/`));
        expect(mount, `${name} ${key}=${path} is not under a mount`).toBeDefined();
        expect(mount?.[2], `${name} ${key} mount mode`).toBe('ro');
        // The host file is the one `bourse start` writes there; test/k8s-manifests.test.ts holds
        // k8s/base/config equal to the generated files.
        const planned = plan.serviceEnv[name][key] as string;
        const host = join(mount?.[0] ?? '', path.slice((mount?.[1] ?? '').length + 1));
        expect(host, `${name} ${key}`).toBe(join('k8s/base/config', planned.slice(STATE_DIR.length + 1)));
        expect(existsSync(join(ROOT, host)), `${name} ${path}`).toBe(true);
      }
    }
  });

  it("mounts the user's strategies folder read-only at /strategies, the strategies file inside it", async () => {
    const runner = service('strategy-runner');
    // The root filesystem is read-only; the loader compiles in memory and tsx's cache goes to /tmp.
    expect(runner.read_only).toBe(true);
    expect(runner.tmpfs).toEqual(['/tmp']);
    const file = runner.environment?.['STRATEGIES_FILE'] ?? '';
    const cases: { env: Record<string, string>; source: string; path: string }[] = [
      // Unset: today's built-ins, the file `bourse start` writes.
      { env: {}, source: './k8s/base/config', path: '/strategies/strategies.yaml' },
      {
        env: { BOURSE_STRATEGIES_DIR: './examples/strategies' },
        source: './examples/strategies',
        path: '/strategies/strategies.yaml',
      },
      {
        env: { BOURSE_STRATEGIES_DIR: '/home/me/strategies', BOURSE_STRATEGIES_FILE_NAME: 'paper.yaml' },
        source: '/home/me/strategies',
        path: '/strategies/paper.yaml',
      },
    ];
    // Not `bourse start`'s BOURSE_STRATEGIES_FILE (a host path to a strategies file): set for `bourse
    // start` in the same shell or .env, it would put a host path after /strategies/.
    expect(readText('docker-compose.yml')).not.toMatch(/\$\{BOURSE_STRATEGIES_FILE(:-|\})/);
    expect(interpolate(file, { BOURSE_STRATEGIES_FILE: '/elsewhere/s.yaml' })).toBe('/strategies/strategies.yaml');
    for (const { env, source, path } of cases) {
      expect(interpolate(file, env), JSON.stringify(env)).toBe(path);
      const mount = mountsOf('strategy-runner', env).find(([, target]) => path.startsWith(`${target}/`));
      expect(mount, JSON.stringify(env)).toEqual([source, '/strategies', 'ro']);
    }
    // The example folder, mounted as above, loads with the runner's own loader: its module entry compiles.
    const loaded = await loadStrategiesFile(join(ROOT, 'examples/strategies', 'strategies.yaml'));
    expect(loaded.refused).toEqual([]);
    expect(loaded.strategies.map((s) => s.id)).toEqual(['mr-btc']);
  });

  it('runs the sim with the arguments `bourse start` gives it, on all interfaces, its state in a volume', () => {
    const sim = service('exchange-sim');
    const [entry, ...args] = sim.command ?? [];
    expect(entry).toBe('services/exchange-sim/src/main.ts');
    const flags = (list: readonly string[]): Map<string, string> => {
      const out = new Map<string, string>();
      list.forEach((a, i) => {
        if (a.startsWith('--')) out.set(a, list[i + 1]?.startsWith('--') === false ? (list[i + 1] as string) : '');
      });
      return out;
    };
    const got = flags(args);
    const want = flags(simArguments(config, STATE_DIR));
    expect(got.get('--host')).toBe('0.0.0.0');
    expect(got.get('--state-file')).toMatch(/^\/state\//);
    expect(sim.volumes).toContain('sim-state:/state');
    for (const drop of ['--host', '--state-file']) {
      got.delete(drop);
      want.delete(drop);
    }
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
    expect(sim.ports).toEqual([`127.0.0.1:${config.sim.port}:${config.sim.port}`]);
    expect(sim.healthcheck?.test?.[3]).toContain(`http://127.0.0.1:${config.sim.port}/api/v3/ping`);
    expect(sim.environment).toMatchObject({
      BOURSE_SIM_API_KEY: '${BOURSE_SIM_API_KEY:-}',
      BOURSE_SIM_API_SECRET: '${BOURSE_SIM_API_SECRET:-}',
    });
  });

  it('builds the sim and every service from the root Dockerfile, read-only with a /tmp for tsx', () => {
    for (const name of ['exchange-sim', ...SERVICES]) {
      const s = service(name);
      expect(s.image, name).toBe('bourse:dev');
      expect(s.build, name).toEqual({ context: '.', dockerfile: 'Dockerfile', target: 'runtime' });
      expect(s.read_only, name).toBe(true);
      expect(s.tmpfs, name).toEqual(['/tmp']);
      expect(existsSync(join(ROOT, s.command?.[0] ?? '')), `${name} entry ${s.command?.[0]}`).toBe(true);
    }
    for (const name of SERVICES) expect(service(name).command, name).toEqual([`services/${name}/src/main.ts`]);
  });

  it('runs Jaeger all-in-one with OTLP on 4317/4318 and the UI on 16686', () => {
    const jaeger = service('jaeger');
    expect(jaeger.image).toMatch(/^jaegertracing\/all-in-one:\d+\.\d+\.\d+$/);
    expect(jaeger.ports?.sort()).toEqual(['127.0.0.1:16686:16686', '127.0.0.1:4317:4317', '127.0.0.1:4318:4318']);
  });

  it('declares every named volume it mounts', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const v of s.volumes ?? []) {
        const source = interpolate(v).split(':')[0] as string;
        if (source.startsWith('.') || source.startsWith('/')) {
          expect(existsSync(join(ROOT, source)), `${name} mounts missing ${source}`).toBe(true);
        } else {
          expect(Object.keys(compose.volumes ?? {}), `${name} volume ${source}`).toContain(source);
        }
      }
    }
  });
});

describe('Dockerfile (repository root)', () => {
  const dockerfile = readText('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => /^[A-Z]+\s/.test(l));
  const stages = instructions.filter((l) => l.startsWith('FROM '));

  it('has a dependency stage and a runtime stage, and the runtime copies the install from the first', () => {
    expect(stages.map((l) => l.split(/\s+AS\s+/i)[1])).toEqual(['deps', 'runtime']);
    const runtime = instructions.slice(instructions.indexOf(stages[1] as string));
    expect(runtime.some((l) => /^COPY --from=deps\b/.test(l))).toBe(true);
    // pnpm and its store stay in the first stage.
    expect(runtime.some((l) => /pnpm/.test(l))).toBe(false);
  });

  it('installs production dependencies only, frozen to the lockfile', () => {
    const installs = instructions.filter((l) => /pnpm install/.test(l));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/--prod\b/);
    expect(installs[0]).toMatch(/--frozen-lockfile\b/);
    // What the runtime needs beyond the packages' own dependencies: tsx, the loader it runs with.
    const root = JSON.parse(readText('package.json')) as { dependencies?: Record<string, string> };
    expect(Object.keys(root.dependencies ?? {})).toEqual(['tsx']);
  });

  it('runs as a non-root user, through tsx', () => {
    const users = instructions.filter((l) => l.startsWith('USER '));
    expect(users.at(-1)).toMatch(/^USER 1000(:1000)?$/);
    expect(instructions.at(-2)).toBe('ENTRYPOINT ["node", "--import", "tsx"]');
  });

  it('keeps dependencies, local state, secrets and tests out of the build context', () => {
    const ignored = readText('.dockerignore')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const entry of ['**/node_modules', '.git', '.bourse', '.env', '**/*.test.ts', 'test']) {
      expect(ignored, entry).toContain(entry);
    }
  });
});
