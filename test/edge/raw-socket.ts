import { createConnection, type Socket } from 'node:net';

/** What one raw loopback connection saw: every byte it got and when it closed. */
export interface RawOutcome {
  /** performance.now() when the request's first byte was written (or the socket connected). */
  startedAt: number;
  closedAt: number;
  data: string;
  /** The status of the first answer on it, if any. */
  status?: number;
}

export interface RawConnection {
  socket: Socket;
  connected: Promise<void>;
  closed: Promise<RawOutcome>;
}

/** Opens a connection to 127.0.0.1:`port` and writes `first` (if any) once connected. */
export function openRaw(port: number, first?: string): RawConnection {
  const socket = createConnection({ port, host: '127.0.0.1' });
  let startedAt = 0;
  const chunks: string[] = [];
  socket.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk));
  socket.on('error', () => undefined);
  const connected = new Promise<void>((resolve) => {
    socket.once('connect', () => {
      startedAt = performance.now();
      if (first !== undefined) socket.write(first);
      resolve();
    });
    socket.once('close', () => resolve());
  });
  const closed = new Promise<RawOutcome>((resolve) => {
    socket.once('close', () => {
      const data = chunks.join('');
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(data)?.[1];
      resolve({
        startedAt,
        closedAt: performance.now(),
        data,
        status: status === undefined ? undefined : Number(status),
      });
    });
  });
  return { socket, connected, closed };
}

/** The JSON body of a raw HTTP/1.1 answer (Content-Length framing). */
export function rawBody(data: string): Record<string, unknown> {
  const body = data.slice(data.indexOf('\r\n\r\n') + 4);
  return JSON.parse(body) as Record<string, unknown>;
}

/** A header of a raw HTTP/1.1 answer, or undefined. */
export function rawHeader(data: string, name: string): string | undefined {
  const head = data.slice(0, data.indexOf('\r\n\r\n'));
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** Headers of a POST with a 100-byte body of which only `{"a"` is sent. */
export const PARTIAL_BODY =
  'POST /v1/me/real-name-registration HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
  'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a"';

/** Half the headers of a request. */
export const PARTIAL_HEADERS = 'GET /v1/me/cards HTTP/1.1\r\nHost: 127.0.0.1\r\n';
