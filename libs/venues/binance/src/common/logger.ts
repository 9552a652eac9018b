// The logging the adapter needs, shaped like pino's so a service passes its logger straight in.
// Never given keys, signatures or full request parameters.

export interface VenueLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

export const silentLogger: VenueLogger = { debug: noop, info: noop, warn: noop, error: noop };
