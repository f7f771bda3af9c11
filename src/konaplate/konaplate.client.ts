import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import { DomainError } from '../common/errors/domain.error';
import { ErrorCode } from '../common/errors/error-code';
import { KonaCallObserver } from './kona-call.observer';
import { interpretAnswer, transportError } from './kona-result';
import { konaTime17 } from './kona-time';
import { type KonaHttpResponse, KonaTransport, TransportFailure } from './kona-transport';
import { serializeBody } from './kona-wire';
import { type MessageCrypto, MESSAGE_CRYPTO } from './message-crypto.port';
import { type KonaOperation, needsEncryption } from './operations/kona-operation';
import { sendWithRetry, type TransportRetryReason } from './send-with-retry';
import { tranToken } from './tran-token';
import { BrokenCircuitError, UpstreamBreakers } from './upstream-breakers';

export interface KonaCallOptions {
  /**
   * The transaction number to send (from the instance's generator, src/correlation); an
   * idempotency key keeps one for all its attempts.
   */
  correlationId: string;
  /** The instant the correlation id names; every time header derives from it. */
  at: Date;
}

export interface KonaSuccess {
  correlationId: string;
  fields: Record<string, unknown>;
}

/**
 * The only code that speaks KONA PLATE: headers, signing, lossless JSON, code tables. Resolves
 * on success; throws a DomainError carrying the correlation id otherwise.
 */
@Injectable()
export class KonaplateClient {
  private readonly logger = new Logger('KonaplateClient');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transport: KonaTransport,
    private readonly breakers: UpstreamBreakers,
    @Optional() private readonly observer?: KonaCallObserver,
    @Optional() @Inject(MESSAGE_CRYPTO) private readonly crypto: MessageCrypto | null = null,
  ) {}

  /**
   * Throws ENCRYPTION_NOT_CONFIGURED for an operation that needs message encryption when no keys
   * are configured; the other operations still serve.
   */
  assertCanRun(op: KonaOperation): void {
    if (needsEncryption(op) && this.crypto === null) {
      throw new DomainError(ErrorCode.EncryptionNotConfigured, {
        detail: 'This operation needs message encryption with KONA PLATE, which is not configured.',
      });
    }
  }

  async call(
    op: KonaOperation,
    body: Record<string, unknown>,
    options: KonaCallOptions,
  ): Promise<KonaSuccess> {
    const { timeZone, timeoutMs } = this.config.konaplate;
    const { at, correlationId } = options;
    const crypto = this.cryptoFor(op);
    const plaintext = serializeBody(body);
    // The tran token covers the exact bytes sent: the encrypted body when the request is encrypted.
    const text = op.encrypted.request && crypto ? await crypto.encryptBody(plaintext) : plaintext;
    const headers = this.headers(correlationId, konaTime17(at, timeZone), text);
    const started = performance.now();
    const deadline = Date.now() + timeoutMs;
    let outcome = 'error';
    try {
      // A business refusal counts as KONA working (it resets the breaker): only an unknown
      // outcome is thrown inside the breaker.
      const answer = await this.breakers.execute(op.name, async () => {
        const response = await sendWithRetry(
          this.transport,
          { path: op.path, body: text, headers },
          deadline,
          (reason, failure) => this.retried(op.name, correlationId, reason, failure),
        );
        const opened =
          op.encrypted.answer && crypto
            ? await this.open(crypto, response, correlationId)
            : response;
        const interpreted = interpretAnswer(op, opened, correlationId);
        outcome = interpreted.outcome;
        if (!interpreted.ok && interpreted.error.details.outcomeUnknown) throw interpreted.error;
        return interpreted;
      });
      if (!answer.ok) throw answer.error;
      return { correlationId, fields: answer.fields };
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        outcome = 'circuit_open';
        throw new DomainError(ErrorCode.UpstreamUnavailable, {
          correlationId,
          detail: 'KONA PLATE is failing; calls are paused briefly to let it recover.',
          retryAfter: this.breakers.retryAfterSeconds,
        });
      }
      if (error instanceof UndecryptableAnswer) {
        outcome = 'undecryptable';
        throw new DomainError(ErrorCode.UpstreamError, {
          correlationId,
          detail: 'The answer of KONA PLATE could not be decrypted; the outcome is unknown.',
          outcomeUnknown: true,
        });
      }
      if (!(error instanceof TransportFailure)) throw error;
      outcome = error.kind;
      throw transportError(error, correlationId);
    } finally {
      const durationMs = performance.now() - started;
      this.observer?.record({ operation: op.name, outcome, durationMs });
      this.logger.debug({ operation: op.name, correlationId, outcome, durationMs }, 'KONA call');
    }
  }

  /** A request sent twice is never silent: counted, and one warn line (no header, no body). */
  private retried(
    operation: string,
    correlationId: string,
    reason: TransportRetryReason,
    failure: TransportFailure,
  ): void {
    this.observer?.retried({ operation, reason });
    this.logger.warn(
      { operation, correlationId, reason, failure: failure.kind, cause: failure.message },
      'KONA call sent again: the first attempt cannot have reached KONA',
    );
  }

  private cryptoFor(op: KonaOperation): MessageCrypto | null {
    this.assertCanRun(op);
    return needsEncryption(op) ? this.crypto : null;
  }

  /** An answer that does not decrypt is an unknown outcome; neither ciphertext nor plaintext is logged. */
  private async open(
    crypto: MessageCrypto,
    response: KonaHttpResponse,
    correlationId: string,
  ): Promise<KonaHttpResponse> {
    try {
      return { ...response, text: await crypto.openAnswer(response.text) };
    } catch (error) {
      this.logger.warn(
        { correlationId, reason: error instanceof Error ? error.name : 'unknown' },
        'KONA answer did not decrypt',
      );
      throw new UndecryptableAnswer();
    }
  }

  private headers(correlationId: string, time17: string, body: string): Record<string, string> {
    const { aspId, accessKey, secretKey, cryptoKeyId, timeZone } = this.config.konaplate;
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'X-KM-User-AspId': aspId,
      'X-KM-Correlation-Id': correlationId,
      'X-KM-Access-Key': accessKey,
      'X-KM-Tran-Token': tranToken(secretKey, time17, body),
      'X-KM-Tran-Time': time17.slice(0, 14),
      'X-KM-Time-Zone': timeZone,
    };
    if (cryptoKeyId) headers['X-KM-Crypto-Key-Id'] = cryptoKeyId;
    return headers;
  }
}

/** Thrown inside the breaker, so an answer that does not decrypt counts as KONA failing. */
class UndecryptableAnswer extends Error {}
