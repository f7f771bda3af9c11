import { connect, createServer, type Socket } from 'node:net';

/** One TCP connection the gateway opened towards KONA, as the tap saw it. */
export interface TappedConnection {
  /** performance.now() when the gateway connected. */
  openedAt: number;
  /** performance.now() when the gateway's side of the connection closed; undefined while open. */
  closedAt?: number;
  /** Everything the gateway sent on it (latin1, capped at 64 KiB). */
  sent: string;
}

/** A transparent TCP pass-through between the gateway and the sandbox. */
export interface TcpTap {
  url: string;
  connections: TappedConnection[];
  /** The connections that carried a request for this member (its id in a JSON body). */
  carrying(member: string): TappedConnection[];
  close(): Promise<void>;
}

const MAX_RECORDED = 64 * 1024;

/**
 * Starts a pass-through to `targetPort` on loopback. The sandbox cannot tell when its client
 * hung up; the tap can: a connection the gateway really closed (socket destroyed, not only a
 * promise given up on) gets its `closedAt`.
 */
export async function startTcpTap(targetPort: number): Promise<TcpTap> {
  const connections: TappedConnection[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const record: TappedConnection = { openedAt: performance.now(), sent: '' };
    connections.push(record);
    const upstream = connect({ port: targetPort, host: '127.0.0.1' });
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      if (record.sent.length < MAX_RECORDED) record.sent += chunk.toString('latin1');
    });
    client.pipe(upstream);
    upstream.pipe(client);
    // Resets are part of the faults under test: each side just ends the other.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      record.closedAt = performance.now();
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    carrying: (member) => connections.filter((c) => c.sent.includes(`"userId":${member}`)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
