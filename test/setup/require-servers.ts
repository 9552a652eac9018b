import { Socket } from 'node:net';

// Tests talk to the real NATS, PostgreSQL and Redis. Where one does not answer, fail at once
// with the command that starts it, instead of letting every test time out on its own.
const servers = [
  {
    name: 'NATS',
    env: 'NATS_URL',
    fallback: 'nats://127.0.0.1:4222',
    start: 'nats-server -js -a 127.0.0.1 -p 4222 (or: docker compose up -d nats)',
  },
  {
    name: 'PostgreSQL',
    env: 'DATABASE_URL',
    fallback: 'postgres://postgres@127.0.0.1:5432/bourse',
    start: 'pg_ctlcluster <version> main start (or: docker compose up -d postgres)',
  },
  {
    name: 'Redis',
    env: 'REDIS_URL',
    fallback: 'redis://127.0.0.1:6379',
    start: 'redis-server --daemonize yes --port 6379 (or: docker compose up -d redis)',
  },
] as const;

function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port), hostname, () => done(true));
  });
}

export default async function requireServers(): Promise<void> {
  const missing: string[] = [];
  for (const server of servers) {
    const url = process.env[server.env] ?? server.fallback;
    if (!(await answers(url))) {
      const where = new URL(url);
      missing.push(`${server.name} does not answer at ${where.host} (${server.env}); start it with: ${server.start}`);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `Tests need the real servers:\n  ${missing.join('\n  ')}\n  or run \`pnpm bourse doctor\` for details.`,
    );
  }
}
