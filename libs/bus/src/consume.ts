import { context } from '@opentelemetry/api';
import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { ContractIssue, Subjects } from '@bourse/contracts';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { decodePayload } from './codec.js';
import { sendDeadLetter } from './dead-letter.js';
import type { DeadLetterDeps, DeadLetterReason } from './dead-letter.js';
import { describeError } from './errors.js';
import { ensureConsumer } from './streams.js';
import type { NatsTracing } from './nats-otel.js';
import { headerRecord } from './trace.js';
import type { ConsumerHandle, Contract, DurableConsumerSpec, DurableMessageMeta, MessageHandler } from './types.js';

export interface ConsumeDeps extends DeadLetterDeps {
  readonly tracing: NatsTracing;
  /** Subjects whose messages get no `process` span (they still run in the sender's context). */
  readonly untraced: (subject: string) => boolean;
  readonly jsm: JetStreamManager;
  readonly js: JetStreamClient;
  readonly subjects: Subjects;
  readonly logger: Logger;
}

/** Delay before the next delivery after `deliveryCount` failed attempts; the last delay repeats. */
export function nakDelay(spec: DurableConsumerSpec, deliveryCount: number): number {
  const delays = spec.nakDelaysMs;
  return delays[Math.min(Math.max(deliveryCount, 1), delays.length) - 1] ?? 0;
}

/**
 * Pulls the durable's messages and handles them one at a time, in stream order: validate, run the
 * handler inside the sender's trace context, then ack; nak with a delay on failure; dead-letter and
 * terminate a message that is invalid or still failing at its last delivery.
 */
export async function startConsumer<S extends z.ZodType>(
  deps: ConsumeDeps,
  service: string,
  spec: DurableConsumerSpec,
  contract: Contract<S>,
  handler: MessageHandler<z.output<S>, DurableMessageMeta>,
): Promise<ConsumerHandle> {
  const stream = await ensureConsumer(deps.jsm, deps.subjects, spec);
  const consumer = await deps.js.consumers.get(stream, spec.durable);
  const messages = await consumer.consume({ max_messages: Math.min(spec.maxAckPending, 64) });
  const log = deps.logger.child({ stream, consumer: spec.durable });
  let stopping = false;

  const deadLetter = async (m: JsMsg, reason: DeadLetterReason, issues: ContractIssue[]): Promise<void> => {
    const stored = await sendDeadLetter(deps, service, {
      reason,
      issues,
      contract: contract.name,
      subject: m.subject,
      data: m.data,
      headers: m.headers,
      stream,
      streamSequence: m.seq,
      deliveryCount: m.info.deliveryCount,
    });
    if (stored) {
      // Plain TERM: servers before 2.10 ignore a TERM that carries a reason, leaving the message pending.
      m.term();
    } else if (m.info.deliveryCount < spec.maxDeliver) {
      // Keep the message rather than lose it: it comes back and dead-lettering is tried again.
      m.nak(nakDelay(spec, m.info.deliveryCount));
    } else {
      log.error(
        { subject: m.subject, streamSequence: m.seq, reason },
        'message reached max deliveries and its dead letter failed; it stays in the stream for replay',
      );
      m.term();
    }
  };

  const handle = async (m: JsMsg): Promise<void> => {
    const decoded = decodePayload(contract, m.data);
    if (!decoded.ok) {
      await deadLetter(m, decoded.reason, decoded.issues);
      return;
    }
    const headers = headerRecord(m.headers);
    const msgId = headers['Nats-Msg-Id'];
    const meta: DurableMessageMeta = {
      subject: m.subject,
      headers,
      stream,
      consumer: spec.durable,
      streamSequence: m.seq,
      deliveryCount: m.info.deliveryCount,
      redelivered: m.redelivered,
      ...(msgId !== undefined ? { msgId } : {}),
    };
    // A live handler keeps its message however long it works; a dead process's message comes back after ackWaitMs.
    const inProgress =
      spec.inProgressEveryMs === undefined
        ? undefined
        : setInterval(() => {
            try {
              m.working();
            } catch {
              // The connection is gone: the server redelivers after ackWaitMs, and handlers are idempotent.
            }
          }, spec.inProgressEveryMs);
    try {
      const run = () => handler(decoded.value, meta);
      await (deps.untraced(m.subject)
        ? context.with(deps.tracing.extract(m.headers), run)
        : deps.tracing.process(
            {
              subject: m.subject,
              bodySize: m.data.length,
              messageId: msgId,
              stream,
              consumer: spec.durable,
              streamSequence: m.seq,
              deliveryCount: m.info.deliveryCount,
            },
            m.headers,
            run,
          ));
    } catch (err) {
      const detail = describeError(err);
      if (m.info.deliveryCount >= spec.maxDeliver) {
        await deadLetter(m, 'handler_failed', [
          { path: '', message: `failed at delivery ${m.info.deliveryCount} of ${spec.maxDeliver}: ${detail}` },
        ]);
      } else {
        const delay = nakDelay(spec, m.info.deliveryCount);
        log.warn(
          {
            subject: m.subject,
            streamSequence: m.seq,
            deliveryCount: m.info.deliveryCount,
            retryInMs: delay,
            err: detail,
          },
          'handler failed; message will be redelivered',
        );
        m.nak(delay);
      }
      return;
    } finally {
      clearInterval(inProgress);
    }
    try {
      // Wait for the server to confirm the ack: once this returns, a restart resumes after this message.
      await m.ackAck();
    } catch (err) {
      log.warn(
        { subject: m.subject, streamSequence: m.seq, err: describeError(err) },
        'ack not confirmed; the message may be redelivered (handlers are idempotent)',
      );
    }
  };

  const loop = (async () => {
    for await (const m of messages) {
      if (stopping) {
        // Pulled but not handled: hand it back now rather than after ack_wait.
        m.nak();
        continue;
      }
      try {
        await handle(m);
      } catch (err) {
        // Nothing above should throw; if it does, keep consuming and let the server redeliver.
        log.error({ subject: m.subject, streamSequence: m.seq, err: describeError(err) }, 'message handling failed');
      }
    }
  })();

  const notifications = (async () => {
    for await (const n of messages.status()) {
      if (n.type === 'heartbeats_missed' || n.type === 'consumer_not_found' || n.type === 'consumer_deleted') {
        log.warn({ notification: n.type }, 'consumer notification');
      } else if (n.type === 'exceeded_limits' || n.type === 'stream_not_found') {
        log.error({ notification: n.type }, 'consumer notification');
      }
    }
  })();

  log.debug({ filterSubject: spec.filterSubject }, 'durable consumer started');
  return {
    stream,
    durable: spec.durable,
    async stop() {
      if (stopping) return;
      stopping = true;
      await messages.close();
      await loop;
      await notifications;
      log.debug('durable consumer stopped');
    },
  };
}
