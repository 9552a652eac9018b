// `bourse trace <client-order-id>`: the trace an order was submitted in (stored by the order manager,
// table order_traces), with a Jaeger link when BOURSE_JAEGER_URL names a Jaeger UI, and the span tree
// when that Jaeger answers its HTTP API (`/api/traces/<id>`). Reading Jaeger is best effort: the trace
// id is the answer, the tree a convenience.
import { CommandFailedError } from '../errors.js';
import type { OperatorContext } from './context.js';
import { describe, formatJson } from './format.js';
import { traceIdsOf } from './ledger.js';

interface JaegerSpan {
  spanID: string;
  operationName: string;
  processID: string;
  startTime: number;
  duration: number;
  references?: Array<{ refType: string; spanID: string; traceID: string }>;
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** The span tree as indented lines: `service operation (duration)`, children in start order. */
export function formatSpanTree(trace: JaegerTrace): string[] {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const parentOf = (s: JaegerSpan): string | undefined =>
    s.references?.find((r) => r.refType === 'CHILD_OF' && ids.has(r.spanID))?.spanID;
  const children = new Map<string | undefined, JaegerSpan[]>();
  for (const span of trace.spans) {
    const parent = parentOf(span);
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const span of (children.get(parent) ?? []).sort((a, b) => a.startTime - b.startTime)) {
      const service = trace.processes[span.processID]?.serviceName ?? '?';
      lines.push(`${'  '.repeat(depth)}${service} ${span.operationName} (${(span.duration / 1000).toFixed(1)} ms)`);
      walk(span.spanID, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}

async function readJaeger(base: string, traceId: string, timeoutMs: number): Promise<JaegerTrace | string> {
  try {
    const res = await fetch(`${base}/api/traces/${traceId}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return `Jaeger answered ${res.status}`;
    const body = (await res.json()) as { data?: JaegerTrace[] };
    const trace = body.data?.[0];
    return trace ?? 'Jaeger has no such trace (yet)';
  } catch (err) {
    return `Jaeger not readable: ${describe(err)}`;
  }
}

export async function runTrace(
  ctx: OperatorContext,
  options: { clientOrderId: string; json: boolean; jaegerUrl: string | undefined; timeoutMs?: number },
): Promise<number> {
  const traceId = (await traceIdsOf(ctx, [options.clientOrderId])).get(options.clientOrderId);
  if (traceId === undefined) {
    throw new CommandFailedError(
      'order-manager',
      `no trace stored for order ${options.clientOrderId} (unknown order, or submitted before traces were kept)`,
    );
  }
  const base = options.jaegerUrl?.replace(/\/+$/, '');
  const link = base === undefined || base === '' ? undefined : `${base}/trace/${traceId}`;
  const jaeger = link === undefined ? undefined : await readJaeger(base as string, traceId, options.timeoutMs ?? 3_000);
  const tree = jaeger !== undefined && typeof jaeger !== 'string' ? formatSpanTree(jaeger) : undefined;
  if (options.json) {
    ctx.out(
      formatJson({
        clientOrderId: options.clientOrderId,
        traceId,
        ...(link !== undefined ? { jaeger: link } : {}),
        ...(tree !== undefined ? { spans: tree } : {}),
        ...(typeof jaeger === 'string' ? { jaegerError: jaeger } : {}),
      }),
    );
    return 0;
  }
  ctx.out(`trace ${traceId}`);
  if (link !== undefined) ctx.out(`jaeger ${link}`);
  if (typeof jaeger === 'string') ctx.out(`(${jaeger})`);
  for (const line of tree ?? []) ctx.out(line);
  return 0;
}
