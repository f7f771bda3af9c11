import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** A request body as received, cut at the size limit. */
export interface RawBody {
  bytes: Buffer;
  /** True when the body was longer than the limit (the rest was read and dropped). */
  tooLarge: boolean;
}

/** Bodies of the two endpoints are tiny; anything this large is a gateway bug. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Reads the whole request body; rejects when the client goes away before the end. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<RawBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    let ended = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      ended = true;
      resolve({ bytes: Buffer.concat(chunks), tooLarge });
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!ended) reject(new Error('client closed the request before its end'));
    });
  });
}

/** Sends a complete answer with an exact Content-Length, unless the client is already gone. */
export function send(
  res: ServerResponse,
  status: number,
  body: string,
  headers: OutgoingHttpHeaders = {},
  contentType = 'application/json; charset=utf-8',
): void {
  if (res.destroyed || res.headersSent) return;
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    ...headers,
    'Content-Type': contentType,
    'Content-Length': bytes.length,
  });
  res.end(bytes);
}

/** Sends a JSON value written with JSON.stringify (admin and control answers: no big numbers). */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  send(res, status, JSON.stringify(value), headers);
}

/** Sends 204 No Content. */
export function sendNoContent(res: ServerResponse): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(204);
  res.end();
}

/** A value fit for a response header: printable ASCII, bounded. */
export function headerSafe(value: string, max = 300): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > max ? printable.slice(0, max) + '...' : printable;
}
