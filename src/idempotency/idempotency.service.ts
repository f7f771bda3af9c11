import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import type { MemberId } from '../members/member-id';
import { MetricsService } from '../observability/metrics.service';
import { PendingRedisWork } from '../redis/pending-work';
import { retryCompletion } from './completion-retry';
import { requestFingerprint } from './fingerprint';
import type { ClaimResult, RecordScope, StoredResponse } from './idempotency.store';
import { IdempotencyStore, StoreUnavailableError } from './idempotency.store';
import type { IdempotentOutcome } from './idempotent-outcome';
import { keyInUse, keyReused, rateLimited, storeUnavailable } from './idempotency-refusals';
import { rateLimitHeaders } from './rate-limit-headers';

export interface IdempotentRequest {
  memberId: MemberId;
  key: string;
  method: string;
  path: string;
  /** The validated body, fingerprinted canonically. */
  body: unknown;
}

/**
 * Runs the upstream call for a claimed key (`correlationId` goes upstream, `at` is its instant)
 * and resolves with the final answer to remember, or throws when there is none (the outcome is
 * unknown, or not final): deciding which is the caller's job, not this service's.
 */
export type UpstreamCall = (correlationId: string, at: Date) => Promise<FinalAnswer>;

/** A final answer for a key: its HTTP status and the exact body to send and replay. */
export interface FinalAnswer {
  status: number;
  body: string;
}

const RATE_WINDOW_MS = 60_000;

/**
 * Exactly one upstream call per member and Idempotency-Key: claims the key atomically, runs the
 * call, remembers the final answer it resolves with and replays it; releases the key (keeping its
 * correlation id) when the call throws. Called from the route handler, i.e. after auth and validation,
 * so a rejected request never claims or burns a key.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);
  private lastStoreErrorLog = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: IdempotencyStore,
    private readonly metrics: MetricsService,
    private readonly pending: PendingRedisWork,
  ) {}

  async run(
    request: IdempotentRequest,
    newCorrelationId: () => Promise<{ id: string; at: Date }>,
    call: UpstreamCall,
  ): Promise<IdempotentOutcome> {
    const scope: RecordScope = { memberId: request.memberId, key: request.key };
    const { id: candidate, at } = await newCorrelationId();
    const owner = randomUUID();
    const claim = await this.claim(scope, request, candidate, owner);
    const headers = claim.rate ? rateLimitHeaders(claim.rate) : {};

    switch (claim.kind) {
      case 'replay':
        this.metrics.idempotencyOutcome('replayed');
        return { ...claim.response, replayed: true, headers };
      case 'in-use':
        this.metrics.idempotencyOutcome('in_use');
        throw keyInUse(claim.correlationId, claim.retryAfterMs, headers);
      case 'reused':
        this.metrics.idempotencyOutcome('reused');
        throw keyReused(headers);
      case 'rate-limited':
        this.metrics.idempotencyOutcome('rate_limited');
        throw rateLimited(claim.rate, RATE_WINDOW_MS);
      case 'claimed': {
        const outcome = { none: 'claimed', released: 'retried', expired: 'taken_over' } as const;
        this.metrics.idempotencyOutcome(outcome[claim.previous]);
        // A fresh key's correlation id was made from `at`: reuse it so their clocks agree.
        const when = claim.correlationId === candidate ? at : new Date();
        const response = await this.execute(scope, owner, claim.correlationId, when, call);
        return { ...response, replayed: false, headers };
      }
      default: {
        const unhandled: never = claim;
        throw new Error(`unhandled claim ${JSON.stringify(unhandled)}`);
      }
    }
  }

  private async claim(
    scope: RecordScope,
    request: IdempotentRequest,
    correlationId: string,
    owner: string,
  ): Promise<ClaimResult> {
    const { ttlSeconds, leaseMs } = this.config.idempotency;
    try {
      return await this.store.claim(scope, {
        fingerprint: requestFingerprint(request.method, request.path, request.body),
        owner,
        correlationId,
        leaseMs,
        ttlSeconds,
        rateLimit: { limit: this.config.rateLimitPerMinute, windowMs: RATE_WINDOW_MS },
      });
    } catch (error) {
      throw this.storeDown(error);
    }
  }

  private async execute(
    scope: RecordScope,
    owner: string,
    correlationId: string,
    at: Date,
    call: UpstreamCall,
  ): Promise<StoredResponse> {
    let response: StoredResponse;
    try {
      response = { ...(await call(correlationId, at)), correlationId };
    } catch (error) {
      // Anything but a final answer (unknown outcome, or a bug while rendering one) frees the key.
      await this.release(scope, owner);
      throw error;
    }
    await this.complete(scope, owner, response);
    return response;
  }

  /**
   * KONA's answer goes back to the app at once, even when it cannot be stored yet: storing it
   * then goes on in the background (lease renewed) for IDEMPOTENCY_COMPLETION_RETRY_MS.
   */
  private async complete(scope: RecordScope, owner: string, response: StoredResponse) {
    try {
      const stored = await this.store.complete(
        scope,
        owner,
        response,
        this.config.idempotency.ttlSeconds,
      );
      if (!stored) this.lost(response.correlationId);
    } catch (error) {
      this.logger.warn(
        { correlationId: response.correlationId, reason: errorMessage(error) },
        'could not store the final answer yet; retrying in the background',
      );
      this.pending.track(this.completeLater(scope, owner, response));
    }
  }

  private async completeLater(scope: RecordScope, owner: string, response: StoredResponse) {
    const { completionRetryMs, leaseMs, ttlSeconds } = this.config.idempotency;
    const result = await retryCompletion(this.store, scope, owner, response, {
      budgetMs: completionRetryMs,
      leaseMs,
      ttlSeconds,
    });
    const { correlationId } = response;
    switch (result) {
      case 'stored':
        this.metrics.idempotencyOutcome('completed_late');
        this.logger.log({ correlationId }, 'stored the final answer after a retry');
        return;
      case 'lost':
        this.lost(correlationId);
        return;
      case 'gave-up':
        this.metrics.idempotencyOutcome('complete_failed');
        this.logger.error(
          { correlationId, retriedMs: completionRetryMs },
          'could not store the final answer for an idempotency key: once its lease ends, a retry ' +
            'with the key calls KONA again with the same correlation id',
        );
        return;
      default: {
        const unhandled: never = result;
        throw new Error(`unhandled completion ${String(unhandled)}`);
      }
    }
  }

  /** The key was taken over before its answer landed: the taker-over's answer will be kept. */
  private lost(correlationId: string): void {
    this.metrics.idempotencyOutcome('complete_failed');
    this.logger.warn({ correlationId }, 'lost the key before completing');
  }

  private async release(scope: RecordScope, owner: string): Promise<void> {
    try {
      await this.store.release(scope, owner);
    } catch (error) {
      // The lease expires on its own; the next request then takes the key over.
      this.logger.warn({ reason: errorMessage(error) }, 'could not release an idempotency key');
    }
  }

  private storeDown(error: unknown): Error {
    if (!(error instanceof StoreUnavailableError)) return error as Error;
    this.metrics.idempotencyOutcome('store_error');
    // One line a second at most: during an outage every request would log the same thing.
    if (Date.now() - this.lastStoreErrorLog >= 1000) {
      this.lastStoreErrorLog = Date.now();
      this.logger.error({ reason: error.message }, 'idempotency store unavailable');
    }
    return storeUnavailable();
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
