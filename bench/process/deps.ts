// `ws` and `ioredis` are not dependencies of the workspace root (where bench/ resolves from); the
// Binance adapter depends on both, so the bench loads the very copies the gateway runs with from there.
import { createRequire } from 'node:module';
import type * as WsModule from 'ws';

const fromAdapter = createRequire(import.meta.resolve('@bourse/venue-binance'));

export const ws = fromAdapter('ws') as typeof WsModule;

/** The little of ioredis the bench uses (its types do not resolve from the root either). */
export interface RedisClient {
  connect(): Promise<void>;
  get(key: string): Promise<string | null>;
  disconnect(): void;
}
export const Redis = fromAdapter('ioredis') as new (url: string, options: { lazyConnect: boolean }) => RedisClient;
