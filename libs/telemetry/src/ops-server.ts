// The operations endpoints every service serves: /healthz (liveness), /readyz (readiness) and
// /metrics (Prometheus text). Loopback by default; a pod sets host 0.0.0.0 so probes reach it.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { TelemetryError, TelemetryErrorCode } from './errors.js';
import { maskSecrets } from './secrets.js';
import type { Check, CheckResult } from './types.js';

export interface OpsServerOptions {
  /** 0 picks a free port; the bound one is on the returned server. */
  port: number;
  host?: string;
  registry: Registry;
  /** Liveness beyond "the process answers"; optional, most services leave it out. */
  health?: Check;
  ready: Check;
}

export interface OpsServer {
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  /** Stops listening and drops idle keep-alive connections (a scraper's would hold shutdown open). */
  close(): Promise<void>;
}

async function runCheck(check: Check): Promise<CheckResult> {
  try {
    const result = await check();
    return { ok: result.ok === true, reasons: (result.reasons ?? []).map(maskSecrets) };
  } catch (err) {
    return { ok: false, reasons: [`check failed: ${maskSecrets(err instanceof Error ? err.message : String(err))}`] };
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function sendCheck(res: ServerResponse, result: CheckResult): void {
  const body = JSON.stringify({ status: result.ok ? 'ok' : 'unavailable', reasons: result.reasons ?? [] });
  send(res, result.ok ? 200 : 503, 'application/json; charset=utf-8', body);
}

async function handle(options: OpsServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  const path = new URL(req.url ?? '/', 'http://ops').pathname;
  switch (path) {
    case '/healthz':
      sendCheck(res, options.health ? await runCheck(options.health) : { ok: true });
      return;
    case '/readyz':
      sendCheck(res, await runCheck(options.ready));
      return;
    case '/metrics':
      send(res, 200, options.registry.contentType, await options.registry.metrics());
      return;
    default:
      send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }
}

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { port, host = '127.0.0.1' } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TelemetryError(
      TelemetryErrorCode.INVALID_OPTION,
      'startOpsServer: `port` must be an integer from 0 to 65535',
      port,
    );
  }
  const server = createServer((req, res) => {
    handle(options, req, res).catch((err: unknown) => {
      // Only the registry can fail here (a collect callback threw); answer rather than hang the scraper.
      if (!res.headersSent) {
        send(
          res,
          500,
          'text/plain; charset=utf-8',
          `${maskSecrets(err instanceof Error ? err.message : String(err))}\n`,
        );
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) =>
      reject(
        new TelemetryError(
          TelemetryErrorCode.LISTEN_FAILED,
          `startOpsServer: cannot listen on ${host}:${port}`,
          { host, port },
          { cause },
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    url: `http://${urlHost}:${bound}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
