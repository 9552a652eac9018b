// The gate's own recent output, read back at start: RiskDecisions from RISK and OrderRequests from
// ORDERS since a time. A redelivered intent (the previous process published but crashed before the
// ack) is then answered with its first decision and client order id. Read with ordered consumers
// (ephemeral, no ack, nothing left behind on the server), from the start time up to what the
// stream held when reading began. The bus has no history read, so this holds its own JetStream
// client on a connection main.ts opens.

import { OrderRequest, RiskDecision, type Subjects } from '@bourse/contracts';
import { DeliverPolicy, jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';

export interface RecentHistory {
  readonly decisions: RiskDecision[];
  readonly orderRequests: OrderRequest[];
  /** Messages that failed their contract (skipped), by subject. */
  readonly invalid: { readonly subject: string; readonly issue: string }[];
}

/** Where recent decisions come from (the RISK and ORDERS streams in production). */
export interface DecisionHistorySource {
  load(sinceMs: number): Promise<RecentHistory>;
}

const FETCH_BATCH = 256;
const FETCH_EXPIRES_MS = 2_000;

export class JetStreamDecisionHistory implements DecisionHistorySource {
  private readonly js: JetStreamClient;

  constructor(
    nc: NatsConnection,
    private readonly subjects: Subjects,
  ) {
    this.js = jetstream(nc);
  }

  async load(sinceMs: number): Promise<RecentHistory> {
    const invalid: { subject: string; issue: string }[] = [];
    const decisions = await this.read(this.subjects.streams.RISK, RiskDecision, sinceMs, invalid);
    const orderRequests = await this.read(this.subjects.streams.ORDERS, OrderRequest, sinceMs, invalid);
    return { decisions, orderRequests, invalid };
  }

  private async read<S extends z.ZodType>(
    stream: string,
    schema: S,
    sinceMs: number,
    invalid: { subject: string; issue: string }[],
  ): Promise<z.output<S>[]> {
    const consumer = await this.js.consumers.get(stream, {
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(Math.max(0, sinceMs)).toISOString(),
    });
    const out: z.output<S>[] = [];
    let pending = (await consumer.info(true)).num_pending;
    while (pending > 0) {
      const batch = await consumer.fetch({ max_messages: Math.min(FETCH_BATCH, pending), expires: FETCH_EXPIRES_MS });
      let got = 0;
      for await (const m of batch) {
        got++;
        pending = m.info.pending;
        let body: unknown;
        try {
          body = m.json();
        } catch (error) {
          invalid.push({ subject: m.subject, issue: error instanceof Error ? error.message : String(error) });
          continue;
        }
        const parsed = schema.safeParse(body);
        if (parsed.success) out.push(parsed.data);
        else invalid.push({ subject: m.subject, issue: parsed.error.issues.map((i) => i.message).join('; ') });
      }
      // The stream shrank under us (limits), or the server sent nothing before the expiry: stop here.
      if (got === 0) break;
    }
    return out;
  }
}
