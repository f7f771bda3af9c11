import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_DB_STORED_PROCEDURE_NAME,
  ATTR_DB_SYSTEM_NAME,
} from '@opentelemetry/semantic-conventions';
import { inClientSpan } from '../common/tracing/client-span';
import { SPAN_ATTRIBUTES } from '../common/tracing/span-attributes';
import type { MemberId } from '../members/member-id';
import type {
  ClaimRequest,
  ClaimResult,
  RateState,
  RecordScope,
  StoredResponse,
} from './idempotency.store';
import { IdempotencyStore, StoreUnavailableError } from './idempotency.store';

const { correlationId: CORRELATION_ID, outcome: OUTCOME } = SPAN_ATTRIBUTES;

/** Where the records live, as the span's `db.system.name` (none for the in-process store). */
export type StoreSystem = 'redis' | 'memory';

/**
 * A span around each step of another store (for Redis: one script call each), child of the
 * request's span, with the step's name, the correlation id it concerns and its outcome. The member
 * id, the key and the fingerprint are left out; the readiness ping is not traced.
 */
export class TracingIdempotencyStore extends IdempotencyStore {
  constructor(
    private readonly inner: IdempotencyStore,
    private readonly system: StoreSystem,
  ) {
    super();
  }

  claim(scope: RecordScope, request: ClaimRequest): Promise<ClaimResult> {
    return this.step('claim', {}, () => this.inner.claim(scope, request), claimOutcome);
  }

  complete(
    scope: RecordScope,
    owner: string,
    response: StoredResponse,
    ttlSeconds: number,
  ): Promise<boolean> {
    return this.step(
      'complete',
      { [CORRELATION_ID]: response.correlationId },
      () => this.inner.complete(scope, owner, response, ttlSeconds),
      (stored) => ({ [OUTCOME]: stored ? 'stored' : 'not_owner' }),
    );
  }

  renew(scope: RecordScope, owner: string, leaseMs: number): Promise<boolean> {
    return this.step(
      'renew',
      {},
      () => this.inner.renew(scope, owner, leaseMs),
      (renewed) => ({ [OUTCOME]: renewed ? 'renewed' : 'not_owner' }),
    );
  }

  release(scope: RecordScope, owner: string): Promise<boolean> {
    return this.step(
      'release',
      {},
      () => this.inner.release(scope, owner),
      (released) => ({ [OUTCOME]: released ? 'released' : 'not_owner' }),
    );
  }

  countRequest(
    memberId: MemberId,
    rateLimit: ClaimRequest['rateLimit'],
  ): Promise<(RateState & { limited: boolean }) | undefined> {
    return this.step(
      'count',
      {},
      () => this.inner.countRequest(memberId, rateLimit),
      (rate) => ({
        [OUTCOME]: rate === undefined ? 'unlimited' : rate.limited ? 'rate_limited' : 'counted',
      }),
    );
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  private step<T>(
    name: string,
    attributes: Attributes,
    call: () => Promise<T>,
    settled: (result: T) => Attributes,
  ): Promise<T> {
    const system = this.system === 'redis' ? { [ATTR_DB_SYSTEM_NAME]: 'redis' } : {};
    return inClientSpan(
      `idempotency ${name}`,
      { ...system, [ATTR_DB_STORED_PROCEDURE_NAME]: name, ...attributes },
      call,
      {
        settled,
        failed: (error) => ({
          [OUTCOME]: error instanceof StoreUnavailableError ? 'store_unavailable' : 'error',
        }),
      },
    );
  }
}

/** The claim's verdict, and the correlation id of the key's upstream call when it has one. */
function claimOutcome(result: ClaimResult): Attributes {
  switch (result.kind) {
    case 'claimed':
      return {
        [OUTCOME]: result.previous === 'none' ? 'claimed' : `claimed_${result.previous}`,
        [CORRELATION_ID]: result.correlationId,
      };
    case 'replay':
      return { [OUTCOME]: 'replay', [CORRELATION_ID]: result.response.correlationId };
    case 'in-use':
      return { [OUTCOME]: 'in_use', [CORRELATION_ID]: result.correlationId };
    case 'reused':
      return { [OUTCOME]: 'reused' };
    case 'rate-limited':
      return { [OUTCOME]: 'rate_limited' };
    default: {
      const unhandled: never = result;
      return unhandled;
    }
  }
}
