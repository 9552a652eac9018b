// The REST shell: reads a request, applies faults and limits, authenticates, calls the endpoint and
// writes Binance's JSON with Binance's headers. Nothing here knows what an order is.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkTimestamp, DEFAULT_RECV_WINDOW_MS, MAX_RECV_WINDOW_MS, restSigningPayload } from '../auth.js';
import { weightOf, type Call, type Endpoint, type SimContext } from '../api/endpoint.js';
import { BinanceApiError, binanceErrors, isBinanceApiError } from '../errors.js';
import { Params } from '../params.js';
import { orderHeaders, weightHeader, type OrderUsage } from '../rate-limits.js';
import { REST_ROUTES, type HttpMethod } from './routes.js';
import { inPlacementSpan } from '../trace.js';
import { requireTradePermission } from '../api/trade-permission.js';

const MAX_BODY_BYTES = 64 * 1024;

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  readonly code = 'BODY_TOO_LARGE';
  constructor(readonly value: number) {
    super(`request body over ${MAX_BODY_BYTES} bytes`);
  }
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError(size));
        // Discard the rest instead of destroying the socket, so the 413 reaches the client.
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** Authenticates a REST call: the key from X-MBX-APIKEY, and for SIGNED the signature and timestamp. */
function authenticate(
  sim: SimContext,
  endpoint: Endpoint,
  req: IncomingMessage,
  p: Params,
  rawQuery: string,
  rawBody: string,
): Call {
  if (endpoint.security === 'NONE') return { sim, transport: 'rest' };
  const header = req.headers['x-mbx-apikey'];
  const key = sim.keys.require(Array.isArray(header) ? header[0] : header);
  if (endpoint.security === 'USER_STREAM') return { sim, transport: 'rest', account: key.account, apiKey: key.apiKey };
  requireTradePermission(endpoint, key);
  const signature = p.optional('signature');
  const timestamp = p.optionalInteger('timestamp');
  const recvWindow = p.optionalInteger('recvWindow') ?? DEFAULT_RECV_WINDOW_MS;
  if (timestamp === undefined) throw binanceErrors.mandatoryMissing('timestamp');
  if (signature === undefined) throw binanceErrors.mandatoryMissing('signature');
  if (recvWindow > MAX_RECV_WINDOW_MS) throw binanceErrors.badRecvWindow();
  if (!key.verify(restSigningPayload(rawQuery, rawBody), signature)) throw binanceErrors.badSignature();
  checkTimestamp(timestamp, recvWindow, sim.clock.now());
  return { sim, transport: 'rest', account: key.account, apiKey: key.apiKey };
}

export type AdminHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** Builds the request listener for the sim's HTTP port. */
export function createRestHandler(
  sim: SimContext,
  admin: AdminHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(sim, admin, req, res).catch((err: unknown) => {
      // Last resort: never let a bad request take the server down.
      if (!res.headersSent)
        sendJson(res, 500, {
          code: -1000,
          msg: `An unknown error occurred while processing the request. (${String(err)})`,
        });
      else res.destroy();
    });
  };
}

async function handle(sim: SimContext, admin: AdminHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim.invalid');
  if (url.pathname.startsWith('/admin/') && (await admin(req, res, url))) return;

  const routes = REST_ROUTES[url.pathname];
  if (!routes) {
    sendJson(res, 404, { code: -1000, msg: `Unknown endpoint ${req.method ?? ''} ${url.pathname}.` });
    return;
  }
  const endpoint = routes[(req.method ?? 'GET') as HttpMethod];
  if (!endpoint) {
    sendJson(
      res,
      405,
      { code: -1000, msg: `Method ${req.method ?? ''} not allowed on ${url.pathname}.` },
      { Allow: Object.keys(routes).join(', ') },
    );
    return;
  }

  const ip = clientIp(req);
  const rawQuery = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
  let rawBody = '';
  const headers: Record<string, string> = {};
  try {
    rawBody = req.method === 'GET' ? '' : await readBody(req);
    if (sim.faults.takeServerError(url.pathname)) {
      sendJson(res, 503, binanceErrors.disconnected().toJSON());
      return;
    }
    const bannedUntil = sim.faults.bannedUntilMs();
    if (bannedUntil !== undefined) {
      sim.faults.noteInjected('ban');
      const err = binanceErrors.banned(bannedUntil, Math.max(1, Math.ceil((bannedUntil - Date.now()) / 1000)));
      sendJson(res, err.httpStatus, err.toJSON(), err.headers);
      return;
    }
    if (sim.faults.takeTooManyRequests()) {
      const err = binanceErrors.tooMuchWeight(sim.rateLimits().requestWeightPerMinute, 1);
      sendJson(res, 429, err.toJSON(), {
        ...err.headers,
        [weightHeader(sim.rateLimits())]: String(sim.limiter.usedWeight(ip)),
      });
      return;
    }
    const p = Params.fromForm(rawQuery, req.method === 'GET' ? '' : rawBody);
    const weight = weightOf(endpoint, p);
    const usage = sim.limiter.spendWeight(ip, weight);
    headers[weightHeader(sim.rateLimits())] = String(usage.usedWeight1m);
    const call = authenticate(sim, endpoint, req, p, rawQuery, req.method === 'GET' ? '' : rawBody);
    let orders: OrderUsage | undefined;
    if (endpoint.orders && call.account !== undefined) orders = sim.limiter.countOrders(call.account, endpoint.orders);
    const result = endpoint.placesOrder
      ? inPlacementSpan(
          { traceparent: req.headers.traceparent, tracestate: req.headers.tracestate },
          `${req.method ?? 'POST'} ${url.pathname}`,
          { 'http.request.method': req.method ?? 'POST', 'url.path': url.pathname, 'http.route': url.pathname },
          () => endpoint.handle(call, p),
        )
      : endpoint.handle(call, p);
    if (orders) Object.assign(headers, orderHeaders(orders));
    if (endpoint.placesOrder && sim.faults.takeDropResponse('rest')) {
      // The order is in the book; the client never hears so. A timeout is an unknown, not a failure.
      sim.log(`fault: cut the connection before the REST response to ${req.method ?? ''} ${url.pathname}`);
      req.socket.destroy();
      return;
    }
    sendJson(res, 200, result, headers);
  } catch (err) {
    headers[weightHeader(sim.rateLimits())] ??= String(sim.limiter.usedWeight(ip));
    if (isBinanceApiError(err)) {
      sendJson(res, err.httpStatus, err.toJSON(), { ...headers, ...err.headers });
      return;
    }
    if (err instanceof BodyTooLargeError) {
      sendJson(res, 413, { code: -1000, msg: err.message }, { Connection: 'close' });
      return;
    }
    sim.log(
      `unexpected error on ${req.method ?? ''} ${url.pathname}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    const unknown = new BinanceApiError(500, -1000, 'An unknown error occurred while processing the request.');
    sendJson(res, 500, unknown.toJSON(), headers);
  }
}
