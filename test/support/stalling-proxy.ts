import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP pass-through to a Redis on loopback that can stall like a network partition: while
 * stalled, bytes in both directions are dropped (the client sees no reply and times out);
 * `heal()` then resets the stalled connections (if it was stalled), as a partition ending with an RST does, and new
 * connections pass through again. Unlike SIGSTOP, what was sent during the stall is lost.
 */
export interface StallingProxy {
  url: string;
  stall(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startStallingProxy(targetPort: number): Promise<StallingProxy> {
  let stalled = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ port: targetPort, host: '127.0.0.1' });
    sockets.add(client).add(upstream);
    const forward = (to: Socket) => (chunk: Buffer) => {
      if (!stalled) to.write(chunk);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    stall: () => {
      stalled = true;
    },
    heal: () => {
      if (!stalled) return;
      stalled = false;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
