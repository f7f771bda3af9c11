import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain.error';
import { ErrorCode } from '../common/errors/error-code';
import { toProblem } from '../common/problem/problem';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import { CorrelationIds } from '../correlation/correlation-ids';
import { NoInstanceSlotError } from '../correlation/instance-slot';
import { IdempotencyService, type FinalAnswer } from '../idempotency/idempotency.service';
import { IdempotencyStore, StoreUnavailableError } from '../idempotency/idempotency.store';
import { rateLimited, storeUnavailable } from '../idempotency/idempotency-refusals';
import { rateLimitHeaders } from '../idempotency/rate-limit-headers';
import { KonaplateClient } from '../konaplate/konaplate.client';
import { type KonaOperation, UnreadableAnswerError } from '../konaplate/operations/kona-operation';
import type { MemberId } from '../members/member-id';
import type { RouteAnswer } from './route-answer';

const RATE_WINDOW_MS = 60_000;

/**
 * The one path every KONA operation runs through once auth and validation passed: a mutating
 * operation under its Idempotency-Key (exactly one KONA call per key), a read-only one counted
 * against the member's rate limit; then the signed call and the mobile answer.
 */
@Injectable()
export class OperationRunner {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly kona: KonaplateClient,
    private readonly idempotency: IdempotencyService,
    private readonly store: IdempotencyStore,
    private readonly ids: CorrelationIds,
  ) {}

  async run<I>(
    op: KonaOperation<I>,
    memberId: MemberId,
    input: I,
    key?: string,
  ): Promise<RouteAnswer> {
    // Before any claim: a key must not be burnt on a call that cannot be made.
    this.kona.assertCanRun(op);
    if (!op.mutates) return this.read(op, memberId, input);
    if (key === undefined) throw new Error(`mutating operation ${op.name} run without a key`);
    return this.idempotency.run(
      // Fingerprinted on the route and the validated input (path values included), not on the
      // URL's spelling: %41 is the same card as A.
      { memberId, key, method: op.route.method, path: op.route.path, body: input },
      () => this.newId(),
      (correlationId, at) => this.finalAnswer(op, memberId, input, correlationId, at),
    );
  }

  /** The answer to remember for a key, or a throw when KONA's answer is not final. */
  private async finalAnswer<I>(
    op: KonaOperation<I>,
    memberId: MemberId,
    input: I,
    correlationId: string,
    at: Date,
  ): Promise<FinalAnswer> {
    try {
      const body = await this.callKona(op, memberId, input, correlationId, at);
      return { status: 200, body };
    } catch (error) {
      if (!(error instanceof DomainError && error.details.final === true)) throw error;
      const problem = toProblem(error);
      return { status: problem.status, body: JSON.stringify(problem) };
    }
  }

  private async read<I>(op: KonaOperation<I>, memberId: MemberId, input: I): Promise<RouteAnswer> {
    const rate = await this.countRequest(memberId);
    const headers = rate ? rateLimitHeaders(rate) : {};
    if (rate?.limited) throw rateLimited(rate, RATE_WINDOW_MS);
    const { id: correlationId, at } = await this.newId();
    const body = await this.callKona(op, memberId, input, correlationId, at);
    return {
      status: 200,
      body,
      correlationId,
      replayed: false,
      headers: { ...headers, 'cache-control': 'private, no-store' },
    };
  }

  private async callKona<I>(
    op: KonaOperation<I>,
    memberId: MemberId,
    input: I,
    correlationId: string,
    at: Date,
  ): Promise<string> {
    const { fields } = await this.kona.call(op, op.wireBody(memberId, input), {
      correlationId,
      at,
    });
    try {
      return JSON.stringify(op.answer(fields, input));
    } catch (error) {
      if (!(error instanceof UnreadableAnswerError)) throw error;
      throw new DomainError(ErrorCode.UpstreamError, {
        correlationId,
        detail: 'KONA PLATE answered success with fields the gateway cannot read.',
        outcomeUnknown: true,
      });
    }
  }

  /** No slot means Redis has been unreachable for a while: the same answer as the store's. */
  private async newId() {
    try {
      return await this.ids.next();
    } catch (error) {
      if (error instanceof NoInstanceSlotError) throw storeUnavailable();
      throw error;
    }
  }

  private async countRequest(memberId: MemberId) {
    try {
      return await this.store.countRequest(memberId, {
        limit: this.config.rateLimitPerMinute,
        windowMs: RATE_WINDOW_MS,
      });
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw storeUnavailable();
      throw error;
    }
  }
}
