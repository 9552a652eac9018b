import { connect } from '@nats-io/transport-node';
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { createSubjects } from '@bourse/contracts';
import type { Subjects } from '@bourse/contracts';
import { randomBytes } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Context, ContextManager } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { BusError, BusErrorCode } from './errors.js';
import { STREAM_KEYS } from './streams.js';
import type { EnsureStreamsOptions, StreamLimits } from './streams.js';
import type { StreamKey } from './types.js';

/** Subjects under a fresh `t_<random>` namespace, for one test file. */
export function testSubjects(): Subjects {
  return createSubjects(`t_${randomBytes(5).toString('hex')}`);
}

const SMALL: Partial<StreamLimits> = { maxBytes: 8 * 1024 * 1024 };

/**
 * Small byte caps for test namespaces: the server reserves each stream's cap on disk up front,
 * and many test files run at once.
 */
export const TEST_STREAMS: EnsureStreamsOptions = {
  limits: Object.fromEntries(STREAM_KEYS.map((k) => [k, SMALL])) as Record<StreamKey, Partial<StreamLimits>>,
};

/**
 * Deletes a test namespace's streams and every KV bucket made under it (trading state, and any other
 * bucket a service names with the namespace prefix, such as the runner's leases). Refuses the
 * production (empty) namespace, so a test can never wipe real data.
 */
export async function removeTestNamespace(
  subjects: Subjects,
  servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
): Promise<void> {
  if (subjects.prefix === '') {
    throw new BusError(BusErrorCode.InvalidOption, 'namespace', 'refusing to delete the production namespace');
  }
  // Stream names of the namespace all start with this (see createSubjects); KV buckets add `KV_`.
  const streamPrefix = subjects.streams.INTENTS.slice(0, subjects.streams.INTENTS.length - 'INTENTS'.length);
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    const names = new Set([...Object.values(subjects.streams), `KV_${subjects.tradingStateBucket}`]);
    for await (const info of jsm.streams.list()) {
      const name = info.config.name;
      if (name.startsWith(streamPrefix) || name.startsWith(`KV_${streamPrefix}`)) names.add(name);
    }
    for (const name of names) {
      try {
        await jsm.streams.delete(name);
      } catch (err) {
        if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
      }
    }
  } finally {
    await nc.close();
  }
}

/** The smallest real context manager: AsyncLocalStorage, as the Node SDK uses. */
class AlsContextManager implements ContextManager {
  readonly #als = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#als.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (...args: unknown[]) => this.with(ctx, () => (target as (...a: unknown[]) => unknown)(...args));
    return run as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#als.disable();
    return this;
  }
}

export interface SpanRecorder {
  readonly exporter: InMemorySpanExporter;
  /** Every span ended so far. */
  spans(): ReadableSpan[];
  /** Unregisters the global tracer provider, propagator and context manager. */
  stop(): Promise<void>;
}

/**
 * Registers a global tracer provider that keeps every ended span in memory (with the W3C propagator and
 * an AsyncLocalStorage context manager), so a test can read the messaging spans the bus made.
 */
export function recordSpans(): SpanRecorder {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AlsContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    exporter,
    spans: () => exporter.getFinishedSpans(),
    async stop() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

export interface PrivateNats {
  readonly url: string;
  /** The JetStream store folder (kept by `stop()` when the caller named it). */
  readonly storeDir: string;
  /** Stops the server (SIGINT) and removes its folder unless the caller named the store folder. */
  stop(): Promise<void>;
  /** kill -9: the server gets no chance to flush or close anything. */
  kill(): Promise<void>;
}

export interface PrivateNatsOptions {
  readonly readyTimeoutMs?: number;
  /** Keep the store here (restart on the same data); default a fresh temporary folder. */
  readonly storeDir?: string;
  /** Listen on this port (a restart on the same URL); default a free one. */
  readonly port?: number;
  /** Lines added inside the `jetstream { }` block, e.g. `sync_interval: always` (nats-server 2.10+). */
  readonly jetstream?: string;
  /** The binary; default `NATS_SERVER_BIN`, else `nats-server` from PATH. */
  readonly binary?: string;
}

/** Version of the nats-server binary (`v2.9.10` → [2, 9, 10]); undefined when it cannot be run. */
export async function natsServerVersion(
  binary = process.env.NATS_SERVER_BIN ?? 'nats-server',
): Promise<readonly [number, number, number] | undefined> {
  const { spawnSync } = await import('node:child_process');
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const m = /v(\d+)\.(\d+)\.(\d+)/.exec(`${out.stdout ?? ''}${out.stderr ?? ''}`);
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * Starts `nats-server` with JetStream on a loopback port and `extraConfig` (e.g. the rendered
 * authorization block), for tests and benchmarks that need a server of their own. Resolves once it
 * is ready. The second argument may be the ready timeout (older callers) or the options.
 */
export async function startPrivateNats(
  extraConfig: string,
  optionsOrTimeout: number | PrivateNatsOptions = {},
): Promise<PrivateNats> {
  const options: PrivateNatsOptions =
    typeof optionsOrTimeout === 'number' ? { readyTimeoutMs: optionsOrTimeout } : optionsOrTimeout;
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  const { spawn } = await import('node:child_process');
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createServer } = await import('node:net');
  const port =
    options.port ??
    (await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    }));
  const dir = await mkdtemp(join(tmpdir(), 'bourse-nats-'));
  const storeDir = options.storeDir ?? join(dir, 'js');
  const conf = join(dir, 'nats.conf');
  await writeFile(
    conf,
    `listen: "127.0.0.1:${port}"\njetstream {\n  store_dir: ${JSON.stringify(storeDir)}\n${options.jetstream ?? ''}\n}\n${extraConfig}\n`,
  );
  const binary = options.binary ?? process.env.NATS_SERVER_BIN ?? 'nats-server';
  const child = spawn(binary, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nats-server not ready after ${readyTimeoutMs} ms: ${output.slice(-2000)}`));
    }, readyTimeoutMs);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${String(code)} before it was ready: ${output.slice(-2000)}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    storeDir,
    stop: () => end('SIGINT'),
    kill: () => end('SIGKILL'),
  };
}
