import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP/HTTP request carried it (opentelemetry-proto, trace/v1/trace.proto). */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  /** The resource's attributes (service.name, …). */
  resource: Record<string, string | number | boolean>;
}

export interface ReceivedExport {
  path: string;
  headers: IncomingHttpHeaders;
  spans: ReceivedSpan[];
}

/**
 * A stand-in OpenTelemetry Collector: OTLP/HTTP with protobuf bodies, decoded here by a reader
 * written from the .proto field numbers (not the SDK's serializer, so a wrong export shows).
 */
export class OtlpReceiver {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** Every export received so far, in order. */
    readonly exports: ReceivedExport[],
  ) {}

  /** Listens on 127.0.0.1 (`port` 0: any free one). */
  static async start(port = 0): Promise<OtlpReceiver> {
    const exports: ReceivedExport[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        exports.push({
          path: request.url ?? '',
          headers: request.headers,
          spans: decodeExport(Buffer.concat(chunks)),
        });
        // An empty ExportTraceServiceResponse: every span accepted.
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    const { port: bound } = server.address() as AddressInfo;
    return new OtlpReceiver(server, `http://127.0.0.1:${bound}`, exports);
  }

  get spans(): ReceivedSpan[] {
    return this.exports.flatMap((received) => received.spans);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

type Field = { no: number; varint?: bigint; bytes?: Buffer };

/** The fields of one protobuf message, in order (wire types 0, 1, 2 and 5). */
function* fields(buffer: Buffer): Generator<Field> {
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buffer[at++];
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  while (at < buffer.length) {
    const tag = Number(varint());
    const no = tag >>> 3;
    switch (tag & 7) {
      case 0:
        yield { no, varint: varint() };
        break;
      case 1:
        yield { no, bytes: buffer.subarray(at, (at += 8)) };
        break;
      case 2: {
        const length = Number(varint());
        yield { no, bytes: buffer.subarray(at, (at += length)) };
        break;
      }
      case 5:
        yield { no, bytes: buffer.subarray(at, (at += 4)) };
        break;
      default:
        throw new Error(`unexpected wire type ${tag & 7}`);
    }
  }
}

const submessages = (buffer: Buffer, no: number): Buffer[] =>
  [...fields(buffer)].filter((f) => f.no === no && f.bytes).map((f) => f.bytes!);

/** KeyValue { 1 key, 2 AnyValue { 1 string, 2 bool, 3 int, 4 double } }. */
function keyValues(buffers: Buffer[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of buffers) {
    let key = '';
    let value: string | number | boolean = '';
    for (const field of fields(kv)) {
      if (field.no === 1) key = field.bytes!.toString('utf8');
      if (field.no !== 2) continue;
      for (const any of fields(field.bytes!)) {
        if (any.no === 1) value = any.bytes!.toString('utf8');
        if (any.no === 2) value = any.varint === 1n;
        if (any.no === 3) value = Number(BigInt.asIntN(64, any.varint!));
        if (any.no === 4) value = any.bytes!.readDoubleLE(0);
      }
    }
    out[key] = value;
  }
  return out;
}

/**
 * ExportTraceServiceRequest { 1 ResourceSpans { 1 Resource { 1 attributes }, 2 ScopeSpans
 * { 2 Span { 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 9 attributes } } } }.
 */
function decodeExport(body: Buffer): ReceivedSpan[] {
  return submessages(body, 1).flatMap((resourceSpans) => {
    const [resourceMessage] = submessages(resourceSpans, 1);
    const resource = resourceMessage ? keyValues(submessages(resourceMessage, 1)) : {};
    return submessages(resourceSpans, 2).flatMap((scopeSpans) =>
      submessages(scopeSpans, 2).map((span): ReceivedSpan => {
        const all = [...fields(span)];
        const hex = (no: number) => all.find((f) => f.no === no)?.bytes?.toString('hex') ?? '';
        return {
          traceId: hex(1),
          spanId: hex(2),
          parentSpanId: hex(4),
          name: all.find((f) => f.no === 5)?.bytes?.toString('utf8') ?? '',
          kind: Number(all.find((f) => f.no === 6)?.varint ?? 0n),
          attributes: keyValues(submessages(span, 9)),
          resource,
        };
      }),
    );
  });
}
