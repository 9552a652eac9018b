import got, { RequestError } from 'got';
import type { z } from 'zod';
import { VenueError, VenueErrorCode, asLocalVenueError, type VenueClock } from '@bourse/venues';
import type { CredentialsProvider } from '../common/credentials.js';
import { mapBinanceError, mapTransportError, parseRetryAfter } from '../common/errors.js';
import { silentLogger, type VenueLogger } from '../common/logger.js';
import type { BinanceMetrics } from '../common/metrics.js';
import { BinanceErrorBody } from '../common/models.js';
import type { BinanceRateLimiter } from '../common/rate-limiter.js';
import { recvWindowFor } from '../common/deadline.js';
import { resyncClock, type ServerClock } from '../common/server-clock.js';
import { toQueryString, type Params } from '../common/signing.js';
import { backoffDelay } from '../common/backoff.js';
import { activeTraceId, annotateSpan, injectTraceContext, SpanKind, withSpan } from '@bourse/telemetry';

// One REST call: rate budget → sign with the venue's time → send with a timeout → correct the
// budget from the usage headers → map errors. Idempotent calls are retried with exponential
// backoff and jitter; a call that changes state is never resent, except after -1021, which
// Binance returns before it processes anything.

export type Security = 'NONE' | 'API_KEY' | 'SIGNED';

export interface RestRequest<S extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  params?: Params;
  security: Security;
  weight: number;
  /** 1 for an order placement. */
  orders?: number;
  /** True for reads (retried on retryable errors); false for place/cancel (never resent blindly). */
  idempotent: boolean;
  /** Local ms: never sent at or after it, and signed so the venue refuses a later arrival (SIGNED only). */
  notAfter?: number;
  schema: S;
}

export interface RestClientOptions {
  restUrl: string;
  credentials: CredentialsProvider | undefined;
  limiter: BinanceRateLimiter;
  serverClock: ServerClock;
  clock: VenueClock;
  recvWindowMs: number;
  requestTimeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  venue: string;
  metrics?: BinanceMetrics;
  logger?: VenueLogger;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export class BinanceRestClient {
  readonly #o: RestClientOptions;
  readonly #log: VenueLogger;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: RestClientOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Sends one request (retrying as its idempotency allows) and returns the validated body. */
  async request<S extends z.ZodType>(req: RestRequest<S>): Promise<z.infer<S>> {
    const operation = `${req.method} ${req.path}`;
    let clockResynced = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.#traced(req, () => this.#once(req, operation));
        this.#o.metrics?.requests.inc({ venue: this.#o.venue, operation, outcome: 'ok' });
        return result;
      } catch (err) {
        if (!(err instanceof VenueError)) throw err;
        this.#o.metrics?.requests.inc({ venue: this.#o.venue, operation, outcome: err.code });
        if (err.code === VenueErrorCode.CLOCK_SKEW && !clockResynced) {
          // Rejected before processing, so even an order may go again once the offset is right.
          clockResynced = true;
          await resyncClock(this.#o.serverClock, operation);
          this.#log.warn(
            { operation, offsetMs: this.#o.serverClock.offsetMs },
            'clock skew (-1021): offset measured again',
          );
          continue;
        }
        if (!req.idempotent || err.kind !== 'retryable' || attempt >= this.#o.maxRetries) throw err;
        const delay = Math.max(
          err.retryAfterMs ?? 0,
          backoffDelay(attempt, this.#o.retryBaseMs, this.#o.retryMaxMs, this.#o.random),
        );
        this.#log.debug({ operation, attempt, delayMs: delay, code: err.code }, 'retrying idempotent request');
        // The limiter itself waits out a 429 block; this delay spaces plain retries.
        if (err.code !== VenueErrorCode.RATE_LIMITED) await this.#sleep(delay);
      }
    }
  }

  /**
   * A call made for a traced operation (an order's submission, a reconciliation run) is an HTTP client
   * span of that trace, and sends `traceparent`; a call outside any trace makes no span. Only the method
   * and the path are recorded: the query string holds the signature and the headers the key.
   */
  #traced<T>(req: RestRequest<z.ZodType>, send: () => Promise<T>): Promise<T> {
    if (activeTraceId() === undefined) return send();
    const base = new URL(this.#o.restUrl);
    const attributes = {
      'http.request.method': req.method,
      'url.path': req.path,
      'url.scheme': base.protocol.replace(':', ''),
      'server.address': base.hostname,
      'server.port': Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
    };
    return withSpan(`${req.method} ${req.path}`, { kind: SpanKind.CLIENT, attributes }, send);
  }

  async #once<S extends z.ZodType>(req: RestRequest<S>, operation: string): Promise<z.infer<S>> {
    const mutating = !req.idempotent;
    const headers: Record<string, string> = {};
    let query = toQueryString(req.params ?? {});
    try {
      await this.#o.limiter.acquire({ weight: req.weight, orders: req.orders ?? 0 }, operation);
      if (req.security !== 'NONE') {
        const creds = this.#credentials(operation);
        headers['X-MBX-APIKEY'] = creds.apiKey;
        if (req.security === 'SIGNED') {
          const recvWindow = recvWindowFor(operation, this.#o.recvWindowMs, req.notAfter, this.#o.clock.now());
          const signedPart = toQueryString({ recvWindow, timestamp: this.#o.serverClock.now() });
          query = query === '' ? signedPart : `${query}&${signedPart}`;
          query = `${query}&signature=${encodeURIComponent(creds.sign(query))}`;
        }
      }
    } catch (err) {
      // Nothing has left the process yet: the failure is ours, never the venue's answer.
      throw err instanceof VenueError ? asLocalVenueError(err) : err;
    }
    const url = `${this.#o.restUrl.replace(/\/+$/, '')}${req.path}${query === '' ? '' : `?${query}`}`;
    injectTraceContext((name, value) => (headers[name] = value));

    let status: number;
    let body: string;
    let responseHeaders: Record<string, string | string[] | undefined>;
    try {
      const res = await got(url, {
        method: req.method,
        headers,
        timeout: { request: this.#o.requestTimeoutMs },
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
        responseType: 'text',
      });
      status = res.statusCode;
      annotateSpan({ 'http.response.status_code': status });
      body = res.body;
      responseHeaders = res.headers;
    } catch (err) {
      const code = err instanceof RequestError ? err.code : undefined;
      // The URL carries the signature: never let got's message or options travel on as the cause.
      const safe = new Error(
        `${code ?? 'request failed'}${err instanceof Error ? `: ${err.message.split(' http')[0]}` : ''}`,
      );
      Object.assign(safe, { code });
      throw mapTransportError(operation, mutating, safe, !NOT_SENT.has(code ?? ''));
    }

    await this.#o.limiter.observeHeaders(responseHeaders);
    const retryAfterHeader = responseHeaders['retry-after'];
    const retryAfterMs = parseRetryAfter(
      Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader,
      this.#o.clock.now(),
    );

    let json: unknown;
    try {
      json = body === '' ? {} : JSON.parse(body);
    } catch (err) {
      if (status >= 400) json = {};
      else
        throw new VenueError(
          mutating ? 'unknown-outcome' : 'retryable',
          VenueErrorCode.MALFORMED_RESPONSE,
          `${operation}: response is not JSON`,
          {
            httpStatus: status,
            operation,
            cause: err,
          },
        );
    }

    if (status >= 400) {
      const parsed = BinanceErrorBody.safeParse(json);
      const failure = mapBinanceError({
        httpStatus: status,
        ...(parsed.success ? { code: parsed.data.code, msg: parsed.data.msg } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        operation,
        mutating,
      });
      if (status === 418) await this.#o.limiter.onBanned(retryAfterMs);
      else if (status === 429) await this.#o.limiter.onRateLimited(retryAfterMs);
      throw failure;
    }

    const parsed = req.schema.safeParse(json);
    if (!parsed.success) {
      // The venue answered 2xx: a state change happened, we just cannot read it.
      throw new VenueError(
        mutating ? 'unknown-outcome' : 'non-retryable',
        VenueErrorCode.MALFORMED_RESPONSE,
        `${operation}: unexpected response: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
        { httpStatus: status, operation },
      );
    }
    return parsed.data;
  }

  #credentials(operation: string) {
    if (this.#o.credentials === undefined) {
      throw new VenueError('fatal', VenueErrorCode.AUTH, `${operation}: needs an API key and none is configured`, {
        operation,
      });
    }
    return this.#o.credentials.current();
  }
}
