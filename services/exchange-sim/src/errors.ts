// Binance's error vocabulary, written once. Every refusal the sim gives - REST or WS-API - is a
// BinanceApiError carrying the HTTP status, the numeric code and the message Binance documents.

export class BinanceApiError extends Error {
  override readonly name = 'BinanceApiError';
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    readonly msg: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Extra detail some errors carry (cancelReplace's `data`). */
    readonly data?: unknown,
  ) {
    super(`${code} ${msg}`);
  }

  toJSON(): { code: number; msg: string; data?: unknown } {
    return this.data === undefined
      ? { code: this.code, msg: this.msg }
      : { code: this.code, msg: this.msg, data: this.data };
  }
}

export function isBinanceApiError(err: unknown): err is BinanceApiError {
  return err instanceof BinanceApiError;
}

export const binanceErrors = {
  unknown: (msg = 'An unknown error occurred while processing the request.') => new BinanceApiError(500, -1000, msg),
  disconnected: () =>
    new BinanceApiError(503, -1001, 'Internal error; unable to process your request. Please try again.'),
  unauthorized: () => new BinanceApiError(401, -1002, 'You are not authorized to execute this request.'),
  tooMuchWeight: (limit: number, retryAfterS: number) =>
    new BinanceApiError(
      429,
      -1003,
      `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
      { 'Retry-After': String(retryAfterS) },
    ),
  banned: (untilMs: number, retryAfterS: number) =>
    new BinanceApiError(
      418,
      -1003,
      `Way too much request weight used; IP banned until ${untilMs}. Please use WebSocket Streams for live updates to avoid bans.`,
      { 'Retry-After': String(retryAfterS) },
    ),
  timeout: () =>
    new BinanceApiError(
      503,
      -1007,
      'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
    ),
  serverBusy: () =>
    new BinanceApiError(
      503,
      -1008,
      'Server is currently overloaded with other requests. Please try again in a few minutes.',
    ),
  filterFailure: (filter: string) => new BinanceApiError(400, -1013, `Filter failure: ${filter}`),
  invalidMessage: (msg: string) => new BinanceApiError(400, -1013, msg),
  invalidParameterCombination: () => new BinanceApiError(400, -1128, 'Combination of optional parameters invalid.'),
  unsupportedComposition: () => new BinanceApiError(400, -1014, 'Unsupported order combination.'),
  tooManyOrders: (limit: number, interval: string) =>
    new BinanceApiError(429, -1015, `Too many new orders; current limit is ${limit} orders per ${interval}.`),
  unsupportedOperation: () => new BinanceApiError(400, -1020, 'This operation is not supported.'),
  outsideRecvWindow: () => new BinanceApiError(400, -1021, 'Timestamp for this request is outside of the recvWindow.'),
  aheadOfServer: () =>
    new BinanceApiError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  badSignature: () => new BinanceApiError(400, -1022, 'Signature for this request is not valid.'),
  /** Binance documents that session.logon takes Ed25519 keys only, not the error it answers; -1002 is its "not authorized". */
  logonKeyTypeNotSupported: (keyType: string) =>
    new BinanceApiError(
      401,
      -1002,
      `You are not authorized to execute this request. (session.logon takes an Ed25519 API key, not ${keyType})`,
    ),
  illegalChars: (param: string, legal: string) =>
    new BinanceApiError(400, -1100, `Illegal characters found in parameter '${param}'; legal range is '${legal}'.`),
  duplicateParam: () => new BinanceApiError(400, -1101, 'Duplicate values for a parameter detected.'),
  mandatoryMissing: (param: string) =>
    new BinanceApiError(400, -1102, `Mandatory parameter '${param}' was not sent, was empty/null, or malformed.`),
  eitherRequired: (a: string, b: string) =>
    new BinanceApiError(400, -1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  tooGreat: (param: string, max: string) =>
    new BinanceApiError(400, -1102, `'${param}' contains unexpected value. Cannot be greater than ${max}.`),
  unreadParams: (read: number, sent: number) =>
    new BinanceApiError(
      400,
      -1104,
      `Not all sent parameters were read; read '${read}' parameter(s) but was sent '${sent}'.`,
    ),
  paramEmpty: (param: string) => new BinanceApiError(400, -1105, `Parameter '${param}' was empty.`),
  paramNotRequired: (param: string) => new BinanceApiError(400, -1106, `Parameter '${param}' sent when not required.`),
  badPrecision: (param: string) => new BinanceApiError(400, -1111, `Parameter '${param}' has too much precision.`),
  tifNotRequired: () => new BinanceApiError(400, -1114, 'TimeInForce parameter sent when not required.'),
  invalidTif: () => new BinanceApiError(400, -1115, 'Invalid timeInForce.'),
  invalidOrderType: () => new BinanceApiError(400, -1116, 'Invalid orderType.'),
  invalidSide: () => new BinanceApiError(400, -1117, 'Invalid side.'),
  emptyNewClientOrderId: () => new BinanceApiError(400, -1118, 'New client order ID was empty.'),
  emptyOrigClientOrderId: () => new BinanceApiError(400, -1119, 'Original client order ID was empty.'),
  badInterval: () => new BinanceApiError(400, -1120, 'Invalid interval.'),
  badSymbol: () => new BinanceApiError(400, -1121, 'Invalid symbol.'),
  invalidListenKey: () => new BinanceApiError(400, -1125, 'This listenKey does not exist.'),
  invalidParameter: (param: string) =>
    new BinanceApiError(400, -1130, `Data sent for parameter '${param}' is not valid.`),
  badRecvWindow: () => new BinanceApiError(400, -1131, 'recvWindow must be less than 60000'),
  newOrderRejected: (msg: string) => new BinanceApiError(400, -2010, msg),
  insufficientBalance: () => new BinanceApiError(400, -2010, 'Account has insufficient balance for requested action.'),
  duplicateOrder: () => new BinanceApiError(400, -2010, 'Duplicate order sent.'),
  cancelRejected: (msg = 'Unknown order sent.') => new BinanceApiError(400, -2011, msg),
  noSuchOrder: () => new BinanceApiError(400, -2013, 'Order does not exist.'),
  badApiKeyFormat: () => new BinanceApiError(401, -2014, 'API-key format invalid.'),
  rejectedApiKey: () => new BinanceApiError(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
} as const;
