/**
 * The failure classification of the real transport (axios on the undici adapter, configured as
 * konaplate.module.ts configures it) against real loopback servers, no mocks: which failures say
 * `requestWritten: false`, the only ones sendWithRetry sends again. Each server counts what it
 * accepted and read.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import {
  closeAll,
  kona,
  konaTls,
  listen,
  onClose,
  selfSignedCertificate,
} from '../testing/loopback';
import { failure, post, REQUEST, transportFor } from '../testing/kona-transport.testing';
import type { AxiosKonaTransport } from './axios-kona.transport';
import { TransportFailure } from './kona-transport';
import { sendWithRetry, type TransportRetryReason } from './send-with-retry';

afterEach(closeAll);

/** sendWithRetry over the transport, collecting the retries it reports. */
async function sendRetrying(transport: AxiosKonaTransport, body: string) {
  const retries: TransportRetryReason[] = [];
  const sent = sendWithRetry(transport, { ...REQUEST, body }, Date.now() + 1000, (reason) =>
    retries.push(reason),
  );
  return {
    result: await sent.then(
      (answer) => answer,
      (error: unknown) => error,
    ),
    retries,
  };
}

/** The sockets undici connects from now on (its public diagnostics channel). */
function connectedSockets(): Socket[] {
  const sockets: Socket[] = [];
  const listener = (message: unknown) => sockets.push((message as { socket: Socket }).socket);
  subscribe('undici:client:connected', listener);
  onClose(() => Promise.resolve(void unsubscribe('undici:client:connected', listener)));
  return sockets;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('AxiosKonaTransport failures over real sockets', () => {
  it('says refused, nothing written, for a port nobody listens on, and is retried once', async () => {
    // Arrange: a port that was free a moment ago and is closed again.
    const { server, url } = await listen(createNetServer());
    await new Promise((resolve) => server.close(resolve));
    const transport = await transportFor(url);

    // Act
    const { result, retries } = await sendRetrying(transport, REQUEST.body);

    // Assert
    expect(result).toBeInstanceOf(TransportFailure);
    expect(result).toMatchObject({ kind: 'refused', requestWritten: false });
    expect(retries).toEqual(['refused']);
  });

  it('(a) a fresh connection destroyed at accept, before reading: reset, written, not retried', async () => {
    // Arrange: the client's connect completes in the kernel; the server then drops it unread.
    const seen = { connections: 0, requests: 0 };
    const server = createNetServer((socket) => {
      seen.connections += 1;
      socket.destroy();
    });
    const { url } = await listen(server);
    const transport = await transportFor(url);

    // Act
    const { result, retries } = await sendRetrying(transport, REQUEST.body);

    // Assert: the client wrote the request onto a connected socket before it learnt of the
    // close; whether the far end read it cannot be known, so it counts as written.
    expect(result).toBeInstanceOf(TransportFailure);
    expect(result).toMatchObject({ kind: 'reset', requestWritten: true });
    expect(retries).toEqual([]);
    expect(seen.connections).toBe(1);
  });

  it('(b) a fresh connection reset after the whole request was read: written, not retried', async () => {
    // Arrange
    const seen = { connections: 0, requests: 0 };
    const { url } = await kona(seen);
    const transport = await transportFor(url);

    // Act
    const { result, retries } = await sendRetrying(transport, '{"userId":1,"x":"reset"}');

    // Assert
    expect(result).toMatchObject({ kind: 'reset', requestWritten: true });
    expect(retries).toEqual([]);
    expect(seen).toEqual({ connections: 1, requests: 1 });
  });

  it('(b) a REUSED keep-alive socket reset after the whole request was read: written, not retried', async () => {
    // Arrange: one answered call leaves the socket idle in the pool.
    const seen = { connections: 0, requests: 0 };
    const { url } = await kona(seen);
    const transport = await transportFor(url);
    expect((await post(transport)).status).toBe(200);
    // Right after an answer the pool still counts its client busy (its 'drain' is emitted in a
    // microtask) and would open a second connection: let the socket be idle first.
    await sleep(20);

    // Act
    const { result, retries } = await sendRetrying(transport, '{"userId":1,"x":"reset"}');

    // Assert: one connection carried both; the server read the reset request exactly once.
    expect(result).toMatchObject({ kind: 'reset', requestWritten: true });
    expect(retries).toEqual([]);
    expect(seen).toEqual({ connections: 1, requests: 2 });
  });

  it('(c) an idle keep-alive socket the server closed, reused at once: undici sees the FIN first and sends over a new connection', async () => {
    // Arrange: an idle pooled socket, then the server closes it and, in the same tick, the
    // client sends. The old agent wrote onto the closing socket (reset, written: unknown
    // outcome); undici checks an idle socket for one event-loop turn before reusing it.
    const seen = { connections: 0, requests: 0 };
    const { server, url } = await kona(seen);
    const transport = await transportFor(url);
    expect((await post(transport)).status).toBe(200);
    await sleep(20);

    server.closeIdleConnections();
    const { result, retries } = await sendRetrying(transport, REQUEST.body);

    // Assert: answered, over a second connection, read once; nothing was sent twice.
    expect(result).toMatchObject({ status: 200 });
    expect(retries).toEqual([]);
    expect(seen).toEqual({ connections: 2, requests: 2 });
  });

  it('a pooled socket that died while idle carries nothing: the request goes over a new connection', async () => {
    // Arrange: one answered call leaves the socket idle in the pool; it dies just before the
    // next call (the old agent's "destroyed as it hands it over" case).
    const seen = { connections: 0, requests: 0 };
    const sockets = connectedSockets();
    const { url } = await kona(seen);
    const transport = await transportFor(url);
    expect((await post(transport)).status).toBe(200);
    expect(sockets).toHaveLength(1);
    await sleep(20);

    // Act
    sockets[0].destroy();
    const { result, retries } = await sendRetrying(transport, REQUEST.body);

    // Assert: undici never started it on the dead socket, so there was nothing to retry.
    expect(result).toMatchObject({ status: 200 });
    expect(retries).toEqual([]);
    expect(seen).toEqual({ connections: 2, requests: 2 });
  });

  it('a connection that breaks during the TLS handshake carried nothing: unsent, retried', async () => {
    // Arrange: the first TCP connection is dropped before the handshake ends, the next is served.
    const seen = { connections: 0, requests: 0 };
    const { server, url } = await konaTls(seen);
    server.once('connection', (socket: Socket) => socket.destroy());
    const transport = await transportFor(url, { ca: selfSignedCertificate().cert });

    // Act
    const { result, retries } = await sendRetrying(transport, REQUEST.body);

    // Assert: undici never started the request on the first connection.
    expect(result).toMatchObject({ status: 200 });
    expect(retries).toEqual(['unsent']);
    expect(seen).toEqual({ connections: 2, requests: 1 });
  });

  it('says timeout, written, for a server that reads and never answers', async () => {
    // Arrange
    const seen = { connections: 0, requests: 0 };
    const server = createHttpServer(() => {
      seen.requests += 1;
    });
    const { url } = await listen(server);
    const transport = await transportFor(url);

    // Act
    const failed = await failure(post(transport, REQUEST.body, 200));

    // Assert
    expect(failed).toMatchObject({ kind: 'timeout', requestWritten: true });
    expect(seen.requests).toBe(1);
  });

  it('says timeout, not written, for a request still queued at its deadline, and never sends it later', async () => {
    // Arrange: one socket per origin; the first request holds it for 400 ms.
    const seen = { connections: 0, requests: 0 };
    const { url } = await kona(seen, (req, res) => {
      seen.requests += 1;
      req.resume();
      setTimeout(() => res.end('{"code":"000_000"}'), 400);
    });
    const transport = await transportFor(url, { connections: 1 });
    const first = post(transport);

    // Act
    const failed = await failure(post(transport, REQUEST.body, 100));

    // Assert: the second one failed at its deadline, unwritten; once the socket is free again,
    // undici does not send it after all.
    expect(failed).toMatchObject({ kind: 'timeout', requestWritten: false });
    expect((await first).status).toBe(200);
    await sleep(100);
    expect(seen.requests).toBe(1);
  });
});
