import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

export interface BusMetrics {
  readonly statusEvents: Counter<'type'>;
  readonly deadLetters: Counter<'service' | 'reason'>;
}

// Two buses may share one registry (a test, or a process that wires two services); prom-client
// refuses a second metric with the same name, so reuse the one already there.
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<L>;
  return new Counter<L>({ name, help, labelNames, registers: [registry] });
}

export function createBusMetrics(registry: Registry): BusMetrics {
  return {
    statusEvents: counter(registry, 'bourse_bus_status_events_total', 'NATS connection status events by type', [
      'type',
    ]),
    deadLetters: counter(
      registry,
      'bourse_bus_dead_letters_total',
      'Messages sent to a dead-letter subject, by service and reason',
      ['service', 'reason'],
    ),
  };
}
