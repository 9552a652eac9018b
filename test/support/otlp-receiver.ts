// An OTLP/HTTP trace receiver for system tests: listens on a loopback port, accepts
// `POST /v1/traces` as protobuf (`application/x-protobuf`) or JSON (`application/json`), and keeps
// every span, flattened, with its service. The protobuf decoder below reads exactly the fields of
// opentelemetry-proto's ExportTraceServiceRequest that the tests look at (ids, name, kind,
// attributes, links, times, resource attributes) and skips the rest by wire type. It also answers
// `GET /api/traces/<trace id>` in the shape of Jaeger's HTTP API (the part `bourse trace` reads), from
// the spans it received: no Jaeger runs in the tests, and this lets `bourse trace` print its tree.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type AttributeValue = string | number | boolean | AttributeValue[];

export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** OTLP numbering: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly resource: Readonly<Record<string, AttributeValue>>;
  readonly links: ReadonlyArray<{ readonly traceId: string; readonly spanId: string }>;
  /** Start, and end minus start, in microseconds (Jaeger's units). */
  readonly startUs: number;
  readonly durationUs: number;
}

const micros = (nanos: bigint): number => Number(nanos / 1000n);

// ---- protobuf wire format -------------------------------------------------------------------

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.buf[this.pos++];
      if (byte === undefined) throw new Error('protobuf: truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  bytes(): Uint8Array {
    const len = Number(this.varint());
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  fixed64(): Uint8Array {
    const out = this.buf.subarray(this.pos, this.pos + 8);
    this.pos += 8;
    return out;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`protobuf: wire type ${wireType} not supported`);
  }
  /** Calls `field` for each (number, wire type); `field` reads the value or returns false to skip it. */
  fields(field: (no: number, wire: number) => boolean): void {
    while (!this.done) {
      const tag = Number(this.varint());
      const no = tag >>> 3;
      const wire = tag & 7;
      if (!field(no, wire)) this.skip(wire);
    }
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

function anyValue(buf: Uint8Array): AttributeValue {
  let value: AttributeValue = '';
  const r = new Reader(buf);
  r.fields((no, wire) => {
    if (no === 1 && wire === 2) value = text(r.bytes());
    else if (no === 2 && wire === 0) value = r.varint() !== 0n;
    else if (no === 3 && wire === 0) value = Number(BigInt.asIntN(64, r.varint()));
    else if (no === 4 && wire === 1) value = Buffer.from(r.fixed64()).readDoubleLE(0);
    else if (no === 5 && wire === 2) {
      const values: AttributeValue[] = [];
      const a = new Reader(r.bytes());
      a.fields((n, w) => {
        if (n === 1 && w === 2) values.push(anyValue(a.bytes()));
        else return false;
        return true;
      });
      value = values;
    } else if (no === 7 && wire === 2) value = hex(r.bytes());
    else return false;
    return true;
  });
  return value;
}

function keyValue(buf: Uint8Array): [string, AttributeValue] {
  let key = '';
  let value: AttributeValue = '';
  const r = new Reader(buf);
  r.fields((no, wire) => {
    if (no === 1 && wire === 2) key = text(r.bytes());
    else if (no === 2 && wire === 2) value = anyValue(r.bytes());
    else return false;
    return true;
  });
  return [key, value];
}

function decodeProtobuf(body: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  const top = new Reader(body);
  top.fields((no, wire) => {
    if (no !== 1 || wire !== 2) return false;
    const resource: Record<string, AttributeValue> = {};
    const rawSpans: Uint8Array[] = [];
    const rs = new Reader(top.bytes());
    rs.fields((n, w) => {
      if (n === 1 && w === 2) {
        const res = new Reader(rs.bytes());
        res.fields((rn, rw) => {
          if (rn !== 1 || rw !== 2) return false;
          const [k, v] = keyValue(res.bytes());
          resource[k] = v;
          return true;
        });
      } else if (n === 2 && w === 2) {
        const ss = new Reader(rs.bytes());
        ss.fields((sn, sw) => {
          if (sn !== 2 || sw !== 2) return false;
          rawSpans.push(ss.bytes());
          return true;
        });
      } else return false;
      return true;
    });
    for (const raw of rawSpans) {
      const s = {
        traceId: '',
        spanId: '',
        parentSpanId: undefined as string | undefined,
        name: '',
        kind: 0,
        attributes: {} as Record<string, AttributeValue>,
        links: [] as Array<{ traceId: string; spanId: string }>,
        startNs: 0n,
        endNs: 0n,
      };
      const r = new Reader(raw);
      r.fields((sn, sw) => {
        if (sn === 1 && sw === 2) s.traceId = hex(r.bytes());
        else if (sn === 2 && sw === 2) s.spanId = hex(r.bytes());
        else if (sn === 4 && sw === 2) {
          const parent = hex(r.bytes());
          s.parentSpanId = parent === '' ? undefined : parent;
        } else if (sn === 5 && sw === 2) s.name = text(r.bytes());
        else if (sn === 6 && sw === 0) s.kind = Number(r.varint());
        else if (sn === 7 && sw === 1) s.startNs = Buffer.from(r.fixed64()).readBigUInt64LE(0);
        else if (sn === 8 && sw === 1) s.endNs = Buffer.from(r.fixed64()).readBigUInt64LE(0);
        else if (sn === 9 && sw === 2) {
          const [k, v] = keyValue(r.bytes());
          s.attributes[k] = v;
        } else if (sn === 13 && sw === 2) {
          const link = { traceId: '', spanId: '' };
          const l = new Reader(r.bytes());
          l.fields((ln, lw) => {
            if (ln === 1 && lw === 2) link.traceId = hex(l.bytes());
            else if (ln === 2 && lw === 2) link.spanId = hex(l.bytes());
            else return false;
            return true;
          });
          s.links.push(link);
        } else return false;
        return true;
      });
      const { startNs, endNs, ...rest } = s;
      spans.push({
        ...rest,
        service: String(resource['service.name'] ?? ''),
        resource,
        startUs: micros(startNs),
        durationUs: micros(endNs - startNs),
      });
    }
    return true;
  });
  return spans;
}

// ---- OTLP/JSON ------------------------------------------------------------------------------

interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: JsonAnyValue[] };
}
interface JsonKeyValue {
  key: string;
  value: JsonAnyValue;
}

function jsonValue(v: JsonAnyValue): AttributeValue {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(jsonValue);
  return '';
}

const jsonAttributes = (list: JsonKeyValue[] | undefined): Record<string, AttributeValue> =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, jsonValue(kv.value)]));

function decodeJson(body: string): ReceivedSpan[] {
  const request = JSON.parse(body) as {
    resourceSpans?: Array<{
      resource?: { attributes?: JsonKeyValue[] };
      scopeSpans?: Array<{
        spans?: Array<{
          traceId: string;
          spanId: string;
          parentSpanId?: string;
          name: string;
          kind: number;
          startTimeUnixNano?: string | number;
          endTimeUnixNano?: string | number;
          attributes?: JsonKeyValue[];
          links?: Array<{ traceId: string; spanId: string }>;
        }>;
      }>;
    }>;
  };
  const spans: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = jsonAttributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        spans.push({
          service: String(resource['service.name'] ?? ''),
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId === undefined || span.parentSpanId === '' ? undefined : span.parentSpanId,
          name: span.name,
          kind: span.kind,
          attributes: jsonAttributes(span.attributes),
          resource,
          links: (span.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
          startUs: micros(BigInt(span.startTimeUnixNano ?? 0)),
          durationUs: micros(BigInt(span.endTimeUnixNano ?? 0) - BigInt(span.startTimeUnixNano ?? 0)),
        });
      }
    }
  }
  return spans;
}

// ---- the receiver ---------------------------------------------------------------------------

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Content types of the export requests, per service (from the spans they held). */
  readonly encodings = new Map<string, Set<string>>();
  /** Every request body as received, to search for what must never leave a process. */
  readonly rawBodies: Buffer[] = [];
  readonly errors: string[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    const receiver = new OtlpReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const type = String(req.headers['content-type'] ?? '').split(';')[0] ?? '';
        const asked = req.method === 'GET' ? /^\/api\/traces\/([0-9a-f]{32})$/.exec(req.url ?? '') : null;
        if (asked !== null) {
          const found = receiver.jaegerTrace(asked[1] as string);
          if (found === undefined) res.writeHead(404, { 'content-type': 'application/json' }).end('{"data":[]}');
          else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [found] }));
          return;
        }
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end();
          return;
        }
        try {
          receiver.rawBodies.push(body);
          const spans =
            type === 'application/json'
              ? decodeJson(body.toString('utf8'))
              : type === 'application/x-protobuf'
                ? decodeProtobuf(body)
                : undefined;
          if (spans === undefined) {
            receiver.errors.push(`unsupported content type ${type}`);
            res.writeHead(415).end();
            return;
          }
          for (const span of spans) {
            receiver.spans.push(span);
            const seen = receiver.encodings.get(span.service) ?? new Set<string>();
            seen.add(type);
            receiver.encodings.set(span.service, seen);
          }
          // An empty ExportTraceServiceResponse in the request's own encoding.
          if (type === 'application/json') res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        } catch (err) {
          receiver.errors.push(String(err));
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** The base URL to hand over as OTEL_EXPORTER_OTLP_ENDPOINT. */
  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  /** The trace as Jaeger's `/api/traces/<id>` holds it (spans, their parents, a process per service). */
  jaegerTrace(traceId: string): object | undefined {
    const spans = this.trace(traceId);
    if (spans.length === 0) return undefined;
    const processOf = new Map([...new Set(spans.map((s) => s.service))].map((service, i) => [service, `p${i + 1}`]));
    return {
      traceID: traceId,
      spans: spans.map((s) => ({
        traceID: s.traceId,
        spanID: s.spanId,
        operationName: s.name,
        processID: processOf.get(s.service),
        startTime: s.startUs,
        duration: s.durationUs,
        references:
          s.parentSpanId === undefined ? [] : [{ refType: 'CHILD_OF', traceID: s.traceId, spanID: s.parentSpanId }],
      })),
      processes: Object.fromEntries([...processOf].map(([serviceName, id]) => [id, { serviceName }])),
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
