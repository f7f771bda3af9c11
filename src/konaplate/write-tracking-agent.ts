import { Agent as HttpAgent, ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';

/** How far one request got before it failed, as its agent saw it. */
export interface RequestProgress {
  /**
   * A connection carried it: the socket it was given was open, or finished connecting.
   * Undefined when the request did not go through these agents (axios' proxy tunnel, say).
   */
  connected: boolean | undefined;
  /** Some byte of it may have been handed to that open socket (false only when certain). */
  written: boolean;
}

interface Mark {
  socket?: Socket;
  /** The socket's bytesWritten before this request: a reused socket counts earlier requests. */
  baseline?: number;
  connected: boolean;
}

/** Conservative: a request these agents did not see may have been written. */
const UNKNOWN: RequestProgress = { connected: undefined, written: true };

const marks = new WeakMap<ClientRequest, Mark>();

/** `addRequest` is how every http.Agent receives a request (lib/_http_agent.js); @types/node omits it. */
type AddRequest = (this: HttpAgent, req: ClientRequest, options: unknown) => void;
const addRequestOf = (agent: typeof HttpAgent): AddRequest =>
  (agent.prototype as unknown as { addRequest: AddRequest }).addRequest;

function track(req: ClientRequest): void {
  const mark: Mark = { connected: false };
  marks.set(req, mark);
  // Node emits 'socket' once the agent handed a socket over and before it flushes the buffered
  // request onto it (lib/_http_client.js onSocketNT: tickOnSocket() emits, then req._flush()), so
  // the baseline holds none of this request's bytes.
  req.once('socket', (socket: Socket) => {
    mark.socket = socket;
    mark.baseline = socket.bytesWritten;
    // A socket already destroyed carries nothing more, and never connected for this request.
    if (socket.destroyed) return;
    if (!socket.connecting) mark.connected = true;
    else socket.once('connect', () => (mark.connected = true));
  });
}

/**
 * How far `request` (axios' `error.request`: the ClientRequest) got. A socket that never
 * connected carried nothing, whatever its bytesWritten says: a CONNECTING socket counts the
 * writes it buffers. A connected one carried this request as soon as its count moved.
 */
export function progressOf(request: unknown): RequestProgress {
  const mark = request instanceof ClientRequest ? marks.get(request) : undefined;
  if (mark === undefined) return UNKNOWN;
  if (!mark.connected || mark.socket === undefined) return { connected: false, written: false };
  const now = mark.socket.bytesWritten as number | undefined;
  // Node answers undefined once a socket has no writable state: then nothing is certain.
  const written = now === undefined || mark.baseline === undefined || now > mark.baseline;
  return { connected: true, written };
}

/** http.Agent that records, per request, where its bytes went (read with {@link progressOf}). */
export class WriteTrackingHttpAgent extends HttpAgent {
  addRequest(req: ClientRequest, options: unknown): void {
    track(req);
    addRequestOf(HttpAgent).call(this, req, options);
  }
}

/** https.Agent that records, per request, where its bytes went (read with {@link progressOf}). */
export class WriteTrackingHttpsAgent extends HttpsAgent {
  addRequest(req: ClientRequest, options: unknown): void {
    track(req);
    addRequestOf(HttpsAgent).call(this, req, options);
  }
}
