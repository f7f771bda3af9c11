/**
 * The failure classification of the real transport (axios on node:http with the write-tracking
 * agent) against real loopback servers, no mocks: which failures say `requestWritten: false`,
 * the only ones sendWithRetry sends again. Each server counts what it accepted and read.
 */
import { HttpModule } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { AxiosKonaTransport } from './axios-kona.transport';
import { TransportFailure } from './kona-transport';
import { sendWithRetry, type TransportRetryReason } from './send-with-retry';
import { WriteTrackingHttpAgent } from './write-tracking-agent';

const REQUEST = { path: '/api/v1/user/namedcard', body: '{"userId":1}', headers: {} };

/** What a test server saw: connections accepted, complete requests read. */
interface Seen {
  connections: number;
  requests: number;
}

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listen<T extends Server | HttpServer>(
  server: T,
): Promise<{ server: T; url: string }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * An HTTP server that answers 200, or, for a body holding "reset", reads the whole request and
 * destroys the socket without a byte of answer (the sandbox's `reset` fault).
 */
async function kona(seen: Seen) {
  const server = createHttpServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.requests += 1;
      if (body.includes('reset')) req.socket.destroy();
      else res.end('{"code":"000_000"}');
    });
  });
  server.on('connection', () => (seen.connections += 1));
  return listen(server);
}

/** The transport as konaplate.module.ts builds it (HttpModule's axios), on a tracking agent. */
async function transportFor(url: string) {
  const agent = new WriteTrackingHttpAgent({ keepAlive: true, maxSockets: 4, timeout: 4000 });
  closers.push(() => Promise.resolve(agent.destroy()));
  const module = await Test.createTestingModule({
    imports: [HttpModule.register({ baseURL: url, httpAgent: agent })],
    providers: [AxiosKonaTransport],
  }).compile();
  return { agent, transport: module.get(AxiosKonaTransport) };
}

const post = (transport: AxiosKonaTransport, body = REQUEST.body) =>
  transport.post({ ...REQUEST, body, timeoutMs: 1000 });

/** The TransportFailure a call ends with (the test fails if it succeeds). */
async function failure(call: Promise<unknown>): Promise<TransportFailure> {
  const outcome = await call.then(
    () => new Error('expected a transport failure, but KONA answered'),
    (error: unknown) => error,
  );
  if (outcome instanceof TransportFailure) return outcome;
  throw outcome;
}

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

describe('AxiosKonaTransport failures over real sockets', () => {
  it('says refused, nothing written, for a port nobody listens on, and is retried once', async () => {
    // Arrange: a port that was free a moment ago and is closed again.
    const { server, url } = await listen(createNetServer());
    await new Promise((resolve) => server.close(resolve));
    const { transport } = await transportFor(url);

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
    const { transport } = await transportFor(url);

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
    const { transport } = await transportFor(url);

    // Act
    const { result, retries } = await sendRetrying(transport, '{"userId":1,"x":"reset"}');

    // Assert
    expect(result).toMatchObject({ kind: 'reset', requestWritten: true });
    expect(retries).toEqual([]);
    expect(seen).toEqual({ connections: 1, requests: 1 });
  });

  it('(b) a REUSED keep-alive socket reset after the whole request was read: written, not retried', async () => {
    // Arrange: one answered call leaves the socket idle in the agent's pool.
    const seen = { connections: 0, requests: 0 };
    const { url } = await kona(seen);
    const { transport } = await transportFor(url);
    expect((await post(transport)).status).toBe(200);

    // Act
    const { result, retries } = await sendRetrying(transport, '{"userId":1,"x":"reset"}');

    // Assert: one connection carried both; the server read the reset request exactly once.
    expect(result).toMatchObject({ kind: 'reset', requestWritten: true });
    expect(retries).toEqual([]);
    expect(seen).toEqual({ connections: 1, requests: 2 });
  });

  it('(c) an idle keep-alive socket the server closed, reused before the client noticed: written', async () => {
    // Arrange: an idle pooled socket, then the server closes it and, in the same tick (before
    // the client's event loop can read the FIN), the client sends on it.
    const seen = { connections: 0, requests: 0 };
    const { server, url } = await kona(seen);
    const { agent, transport } = await transportFor(url);
    expect((await post(transport)).status).toBe(200);
    await waitUntil(() => Object.keys(agent.freeSockets).length === 1);

    server.closeIdleConnections();
    const sent = failure(post(transport));

    // Assert: Node handed the bytes to the socket, so they count as written; here the server
    // never read them, but from the client this is the same as (b): conservative, not retried.
    const failed = await sent;
    expect(failed).toMatchObject({ kind: 'reset', requestWritten: true });
    expect(seen).toEqual({ connections: 1, requests: 1 });
  });

  it.each([
    {
      when: 'as the agent hands it over',
      kill(agent: WriteTrackingHttpAgent) {
        const reuse = agent.reuseSocket.bind(agent);
        agent.reuseSocket = (socket, req) => {
          socket.destroy();
          reuse(socket, req);
          agent.reuseSocket = reuse;
        };
      },
    },
    {
      // Past the point where the baseline is taken: only the byte count can tell.
      when: 'after the request got it, before Node flushed the request onto it',
      kill(agent: WriteTrackingHttpAgent) {
        const add = agent.addRequest.bind(agent);
        agent.addRequest = (req, options) => {
          add(req, options);
          req.once('socket', (socket: Socket) => socket.destroy());
          agent.addRequest = add;
        };
      },
    },
  ])('a reused socket destroyed $when: unsent, retried', async ({ kill }) => {
    // Arrange: one answered call leaves the socket idle in the pool; it dies on its next use.
    const seen = { connections: 0, requests: 0 };
    const { url } = await kona(seen);
    const { agent, transport } = await transportFor(url);
    expect((await post(transport)).status).toBe(200);
    await waitUntil(() => Object.keys(agent.freeSockets).length === 1);
    kill(agent);

    // Act
    const { result, retries } = await sendRetrying(transport, REQUEST.body);

    // Assert: the retry went over a new connection, and the server read the request once.
    expect(result).toMatchObject({ status: 200 });
    expect(retries).toEqual(['unsent']);
    expect(seen).toEqual({ connections: 2, requests: 2 });
  });

  it('says timeout, written, for a server that reads and never answers', async () => {
    // Arrange
    const seen = { connections: 0, requests: 0 };
    const server = createHttpServer(() => {
      seen.requests += 1;
    });
    const { url } = await listen(server);
    const { transport } = await transportFor(url);

    // Act
    const failed = await failure(transport.post({ ...REQUEST, timeoutMs: 200 }));

    // Assert
    expect(failed).toMatchObject({ kind: 'timeout', requestWritten: true });
    expect(seen.requests).toBe(1);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
