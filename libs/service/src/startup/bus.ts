// The service's bus connection, named after the service, on its namespace's subjects. While NATS
// is away the service is not ready (the `nats` blocker), and ready again once it reconnects.

import { connectBus, type Bus } from '@bourse/bus';
import { createSubjects } from '@bourse/contracts';
import type { ServiceBase } from './service-base.js';

export interface ServiceBusOptions {
  readonly natsUrl: string;
  /** Subject namespace; empty: production subjects. */
  readonly namespace: string;
  /** Wait for NATS at start instead of failing when it is not up yet (true by default). */
  readonly waitOnFirstConnect?: boolean;
  /** Block readiness while disconnected (true by default). */
  readonly readiness?: boolean;
}

export async function connectServiceBus(base: ServiceBase, options: ServiceBusOptions): Promise<Bus> {
  const { service, logger, metrics, clock, readiness } = base;
  const bus = await connectBus({
    service,
    subjects: createSubjects(options.namespace),
    logger,
    registry: metrics.registry,
    servers: options.natsUrl,
    clock,
    waitOnFirstConnect: options.waitOnFirstConnect ?? true,
  });
  if (options.readiness ?? true) {
    bus.onStatus((type) => {
      if (type === 'disconnect') readiness.block('nats', 'disconnected from NATS');
      if (type === 'reconnect') readiness.unblock('nats');
    });
  }
  return bus;
}
