import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** What {@link TransportStats.snapshot} returns (also `GET /__sandbox/transport`). */
export interface TransportSnapshot {
  /** Whether the sandbox listens with TLS. */
  tls: boolean;
  /** TCP connections accepted. */
  connections: number;
  /** TLS handshakes completed, by negotiated protocol (`TLSv1.3`) and by cipher. */
  handshakes: { total: number; protocols: Record<string, number>; ciphers: Record<string, number> };
  /** KONA calls (not the control API) received over TLS and over plain TCP. */
  konaCalls: { tls: number; plain: number };
}

/**
 * Counts connections, TLS handshakes and KONA calls per transport, so a benchmark can show that
 * its clients really spoke TLS to the sandbox (and how many KONA calls each load phase made).
 * Counters only: a few increments per call, nothing kept per connection.
 */
export class TransportStats {
  private connections = 0;
  private handshakes = 0;
  private readonly protocols: Record<string, number> = {};
  private readonly ciphers: Record<string, number> = {};
  private tlsCalls = 0;
  private plainCalls = 0;

  constructor(private readonly tls: boolean) {}

  connection(): void {
    this.connections += 1;
  }

  handshake(socket: TLSSocket): void {
    this.handshakes += 1;
    const protocol = socket.getProtocol() ?? 'unknown';
    const cipher = socket.getCipher()?.standardName ?? 'unknown';
    this.protocols[protocol] = (this.protocols[protocol] ?? 0) + 1;
    this.ciphers[cipher] = (this.ciphers[cipher] ?? 0) + 1;
  }

  konaCall(socket: Socket): void {
    if ((socket as Partial<TLSSocket>).encrypted === true) this.tlsCalls += 1;
    else this.plainCalls += 1;
  }

  snapshot(): TransportSnapshot {
    return {
      tls: this.tls,
      connections: this.connections,
      handshakes: {
        total: this.handshakes,
        protocols: { ...this.protocols },
        ciphers: { ...this.ciphers },
      },
      konaCalls: { tls: this.tlsCalls, plain: this.plainCalls },
    };
  }
}
