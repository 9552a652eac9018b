// The one time source every core, engine and adapter is given. Declared here, at the bottom layer,
// because the domain's rule is the cores' rule: time is passed in, never read. A service passes the
// wall clock (`systemClock` of @bourse/service), a backtest its virtual clock, a test a manual one.

/** Milliseconds since the epoch, injected so cores, backtests and tests control time. */
export interface Clock {
  now(): number;
}
