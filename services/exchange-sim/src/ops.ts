// The sim's ops endpoints, as every Bourse service has them (see @bourse/telemetry): GET /healthz,
// /readyz and /metrics (Prometheus text), served on the sim's one port beside the Binance API (Binance
// has no such paths). The metrics show the venue side on a paper-trading dashboard: requests by
// endpoint and status, orders, trades and the faults the sim injected.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMetrics, type Metrics } from '@bourse/telemetry';
import { MARKET_MAKER_ACCOUNT, TAKER_ACCOUNT } from './activity/market-activity.js';
import type { InjectedFault } from './faults.js';
import { REST_ROUTES } from './rest/routes.js';
import type { SimVenue } from './venue.js';

export const OPS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export class SimMetrics {
  readonly metrics: Metrics;
  private readonly requests;
  private readonly orders;
  private readonly trades;
  private readonly faults;

  /** `processMetrics`: Node's own (memory, event loop); the process entry wants them, a sim inside a test does not. */
  constructor(processMetrics = false) {
    const metrics = createMetrics({ service: 'exchange-sim', defaultMetrics: processMetrics });
    this.metrics = metrics;
    this.requests = metrics.counter({
      name: 'bourse_sim_requests_total',
      help: 'Requests the sim answered, by transport (rest, ws-api), endpoint and HTTP status (dropped: no answer sent)',
      labelNames: ['transport', 'endpoint', 'status'],
    });
    this.orders = metrics.counter({
      name: 'bourse_sim_orders_total',
      help: 'Orders the venue accepted, by symbol, side, type and participant (user or market-activity)',
      labelNames: ['symbol', 'side', 'type', 'participant'],
    });
    this.trades = metrics.counter({
      name: 'bourse_sim_trades_total',
      help: 'Trades printed on the tape, by symbol',
      labelNames: ['symbol'],
    });
    this.faults = metrics.counter({
      name: 'bourse_sim_faults_injected_total',
      help: 'Faults the sim injected, one per affected request, frame, connection cut or withheld event',
      labelNames: ['fault'],
    });
  }

  /** Counts the venue's trades and accepted orders as they happen. */
  watch(venue: SimVenue): () => void {
    const offMarket = venue.onMarket((e) => {
      if (e.kind === 'trade') this.trades.inc({ symbol: e.trade.symbol });
    });
    const offAccount = venue.onAccount((account, e) => {
      if (e.e !== 'executionReport' || e.x !== 'NEW') return;
      const participant = account === MARKET_MAKER_ACCOUNT || account === TAKER_ACCOUNT ? 'market-activity' : 'user';
      this.orders.inc({ symbol: String(e.s), side: String(e.S), type: String(e.o), participant });
    });
    return () => {
      offMarket();
      offAccount();
    };
  }

  request(transport: 'rest' | 'ws-api', endpoint: string, status: number | 'dropped'): void {
    this.requests.inc({ transport, endpoint, status: String(status) });
  }

  faultInjected(fault: InjectedFault, count = 1): void {
    if (count > 0) this.faults.inc({ fault }, count);
  }
}

/** The endpoint label of a REST request: its route, or a fixed word, so clients cannot grow the label set. */
export function restEndpointLabel(method: string | undefined, pathname: string): string {
  if (OPS_PATHS.has(pathname)) return 'ops';
  if (pathname.startsWith('/admin/')) return 'admin';
  const routes = REST_ROUTES[pathname];
  if (!routes) return 'unknown';
  return method !== undefined && method in routes ? `${method} ${pathname}` : `unknown-method ${pathname}`;
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Serves the ops paths, counts every other request by endpoint and status, and hands it on. */
export function withOps(
  metrics: SimMetrics,
  ready: () => { ok: boolean; reasons: string[] },
  next: RequestHandler,
): RequestHandler {
  return (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://sim.invalid').pathname;
    if (OPS_PATHS.has(pathname) && (req.method === 'GET' || req.method === 'HEAD')) {
      void serveOps(metrics, ready, pathname, req, res);
      return;
    }
    const endpoint = restEndpointLabel(req.method, pathname);
    let counted = false;
    const count = (status: number | 'dropped'): void => {
      if (counted) return;
      counted = true;
      metrics.request('rest', endpoint, status);
    };
    res.once('finish', () => count(res.statusCode));
    // The drop-response fault destroys the socket: the request was handled, nothing was answered.
    res.once('close', () => count(res.writableFinished ? res.statusCode : 'dropped'));
    next(req, res);
  };
}

async function serveOps(
  metrics: SimMetrics,
  ready: () => { ok: boolean; reasons: string[] },
  pathname: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const send = (status: number, contentType: string, body: string): void => {
    res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const json = (ok: boolean, reasons: string[]): void =>
    send(
      ok ? 200 : 503,
      'application/json; charset=utf-8',
      JSON.stringify({ status: ok ? 'ok' : 'unavailable', reasons }),
    );
  switch (pathname) {
    case '/healthz':
      json(true, []);
      return;
    case '/readyz': {
      const r = ready();
      json(r.ok, r.reasons);
      return;
    }
    default:
      send(200, metrics.metrics.registry.contentType, await metrics.metrics.registry.metrics());
  }
}
