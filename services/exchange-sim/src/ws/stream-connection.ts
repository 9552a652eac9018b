// One market-stream connection (`/ws/...`, `/ws`, `/stream?streams=...`): its subscriptions, the
// `combined` property, and the live SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY /
// GET_PROPERTY requests with the replies and error codes Binance documents.

import type { WebSocket } from 'ws';
import type { FaultState } from '../faults.js';
import type { Random } from '../random.js';
import type { ListenKeys } from '../api/listen-keys.js';
import type { AccountEvent } from '../venue.js';
import { FaultySender } from './faulty-sender.js';
import type { MarketHub, StreamSink } from './market-hub.js';
import { isValidStreamName, parseStreamName } from './stream-names.js';
import { inMicroseconds } from './time-unit.js';
import type { UserDataHub, UserDataSubscriber } from './user-data-hub.js';

const MAX_STREAMS = 1024;
const METHODS = ['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'];
type RequestId = number | string | null;

export interface StreamConnectionDeps {
  readonly hub: MarketHub;
  readonly userData: UserDataHub;
  readonly listenKeys: ListenKeys;
  readonly faults: FaultState;
  readonly random: Random;
  readonly now: () => number;
  readonly maxIncomingPerSecond: number;
  /** `timeUnit=MICROSECOND` in the URL: time fields in microseconds. */
  readonly microseconds?: boolean;
}

function idIsValid(id: unknown): id is RequestId {
  if (id === null) return true;
  if (typeof id === 'number') return Number.isSafeInteger(id);
  return typeof id === 'string' && /^[A-Za-z0-9-]{1,36}$/.test(id);
}

export class StreamConnection implements StreamSink {
  private readonly streams = new Set<string>();
  private readonly userSubs = new Map<string, UserDataSubscriber>();
  private readonly sender: FaultySender;
  private windowStart = 0;
  private windowCount = 0;

  constructor(
    private readonly ws: WebSocket,
    private combined: boolean,
    initial: readonly string[],
    private readonly deps: StreamConnectionDeps,
  ) {
    this.sender = new FaultySender(ws, deps.faults, deps.random);
    for (const s of initial) this.add(s);
    ws.on('message', (data, isBinary) => this.onMessage(isBinary ? '' : data.toString('utf8')));
    ws.on('ping', () => this.countIncoming());
    ws.on('close', () => this.dispose());
  }

  deliver(stream: string, payload: unknown): void {
    const data = this.deps.microseconds === true ? inMicroseconds(payload) : payload;
    this.sender.send(JSON.stringify(this.combined ? { stream, data } : data));
  }

  /** Binance's `serverShutdown` event (raw, or as `!serverShutdown` when combined), then a close frame. */
  shutDown(eventTime: number): Promise<void> {
    const event = { e: 'serverShutdown', E: this.deps.microseconds === true ? eventTime * 1000 : eventTime };
    this.sender.sendDirect(JSON.stringify(this.combined ? { stream: '!serverShutdown', data: event } : event));
    if (this.ws.readyState === this.ws.CLOSED) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close(1001, 'server shutdown');
    return closed;
  }

  private add(stream: string): void {
    if (this.streams.has(stream)) return;
    this.streams.add(stream);
    const kind = parseStreamName(stream);
    if (kind.kind === 'userData') {
      const account = this.deps.listenKeys.accountOf(kind.listenKey);
      if (account === undefined) return;
      const sub: UserDataSubscriber = {
        account,
        deliver: (event: AccountEvent) => this.deliver(stream, event),
        terminate: (eventTime: number) => {
          this.deliver(stream, { e: 'listenKeyExpired', E: eventTime, listenKey: kind.listenKey });
          this.userSubs.delete(stream);
          this.streams.delete(stream);
        },
      };
      this.userSubs.set(stream, sub);
      this.deps.userData.add(sub);
      return;
    }
    this.deps.hub.subscribe(stream, this);
  }

  private remove(stream: string): void {
    if (!this.streams.delete(stream)) return;
    const sub = this.userSubs.get(stream);
    if (sub) {
      this.deps.userData.remove(sub);
      this.userSubs.delete(stream);
      return;
    }
    this.deps.hub.unsubscribe(stream, this);
  }

  private dispose(): void {
    this.sender.close();
    this.deps.hub.removeSink(this);
    for (const sub of this.userSubs.values()) this.deps.userData.remove(sub);
    this.userSubs.clear();
    this.streams.clear();
  }

  /** Binance disconnects a connection that sends more than 5 messages a second. */
  private countIncoming(): boolean {
    const now = this.deps.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    this.windowCount += 1;
    if (this.windowCount > this.deps.maxIncomingPerSecond) {
      this.ws.close(1008, 'Too many messages');
      return false;
    }
    return true;
  }

  private reply(body: Record<string, unknown>): void {
    this.sender.sendDirect(JSON.stringify(body));
  }

  /**
   * Binance's stream servers nest the error: `{"error":{"code":2,"msg":"Invalid request: invalid stream"},"id":1}`
   * (as captured from the live endpoint; the documentation's table lists the inner objects).
   */
  private error(code: number, msg: string, id?: RequestId): void {
    this.reply(id === undefined ? { error: { code, msg } } : { error: { code, msg }, id });
  }

  private onMessage(text: string): void {
    if (!this.countIncoming()) return;
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.error(3, `Invalid JSON: expected value at line 1 column 1`);
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.error(3, 'Invalid JSON: expected value at line 1 column 1');
      return;
    }
    const req = msg as Record<string, unknown>;
    if (!('method' in req)) {
      this.error(2, `Invalid request: missing field \`method\` at line 1 column ${text.length}`);
      return;
    }
    const method = req.method;
    if (typeof method !== 'string' || !METHODS.includes(method)) {
      const at = text.indexOf('"method"') + 1;
      this.error(
        2,
        `Invalid request: unknown variant \`${String(method)}\`, expected one of \`SUBSCRIBE\`, \`UNSUBSCRIBE\`, \`LIST_SUBSCRIPTIONS\`, \`SET_PROPERTY\`, \`GET_PROPERTY\` at line 1 column ${at}`,
      );
      return;
    }
    if (!('id' in req) || !idIsValid(req.id)) {
      this.error(2, 'Invalid request: request ID must be an unsigned integer');
      return;
    }
    const id = req.id;
    const params = req.params;
    switch (method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        if (!Array.isArray(params) || !params.every((p): p is string => typeof p === 'string')) {
          this.error(2, 'Invalid request: params must be an array of stream names', id);
          return;
        }
        const bad = params.find((p) => !isValidStreamName(p));
        if (bad !== undefined) {
          this.error(2, 'Invalid request: invalid stream', id);
          return;
        }
        if (method === 'SUBSCRIBE') {
          if (new Set([...this.streams, ...params]).size > MAX_STREAMS) {
            this.error(2, `Invalid request: too many streams (at most ${MAX_STREAMS} per connection)`, id);
            return;
          }
          for (const p of params) this.add(p);
        } else {
          for (const p of params) this.remove(p);
        }
        this.reply({ result: null, id });
        return;
      }
      case 'LIST_SUBSCRIPTIONS':
        if (params !== undefined && !(Array.isArray(params) && params.length === 0)) {
          this.error(2, 'Invalid request: too many parameters', id);
          return;
        }
        this.reply({ result: [...this.streams], id });
        return;
      case 'SET_PROPERTY': {
        if (!Array.isArray(params) || params.length !== 2) {
          this.error(2, 'Invalid request: too many parameters', id);
          return;
        }
        const [name, value] = params as unknown[];
        if (typeof name !== 'string') {
          this.error(2, 'Invalid request: property name must be a string', id);
          return;
        }
        if (name !== 'combined') {
          this.error(0, 'Unknown property', id);
          return;
        }
        if (typeof value !== 'boolean') {
          this.error(1, 'Invalid value type: expected Boolean', id);
          return;
        }
        this.combined = value;
        this.reply({ result: null, id });
        return;
      }
      case 'GET_PROPERTY': {
        if (!Array.isArray(params) || params.length !== 1) {
          this.error(2, 'Invalid request: too many parameters', id);
          return;
        }
        const [name] = params as unknown[];
        if (typeof name !== 'string') {
          this.error(2, 'Invalid request: property name must be a string', id);
          return;
        }
        if (name !== 'combined') {
          this.error(0, 'Unknown property', id);
          return;
        }
        this.reply({ result: this.combined, id });
        return;
      }
    }
  }
}
