export const BusErrorCode = {
  InvalidOption: 'BUS_INVALID_OPTION',
  ConnectFailed: 'BUS_CONNECT_FAILED',
  Closed: 'BUS_CLOSED',
  PublishFailed: 'BUS_PUBLISH_FAILED',
  RequestTimeout: 'BUS_REQUEST_TIMEOUT',
  NoResponders: 'BUS_NO_RESPONDERS',
  RequestFailed: 'BUS_REQUEST_FAILED',
  RemoteError: 'BUS_REMOTE_ERROR',
  StreamSetupFailed: 'BUS_STREAM_SETUP_FAILED',
  ConsumerSetupFailed: 'BUS_CONSUMER_SETUP_FAILED',
  KvFailed: 'BUS_KV_FAILED',
} as const;

export type BusErrorCode = (typeof BusErrorCode)[keyof typeof BusErrorCode];

/**
 * Every failure of the bus itself. `value` is the offending subject, stream, key or option name;
 * never a credential or a payload.
 */
export class BusError extends Error {
  override readonly name = 'BusError';
  constructor(
    readonly code: BusErrorCode,
    readonly value: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isBusError(err: unknown, code?: BusErrorCode): err is BusError {
  return err instanceof BusError && (code === undefined || err.code === code);
}

/** A short, secret-free description of an unknown thrown value for logs and dead letters. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `non-error thrown: ${typeof err}`;
}
