import { Injectable } from '@nestjs/common';
import { IdempotencyService } from '../idempotency/idempotency.service';
import type { IdempotentOutcome } from '../idempotency/idempotent-outcome';
import { KonaplateClient } from '../konaplate/konaplate.client';
import { CARD_LIMIT_UPDATE, cardLimitBody } from '../konaplate/operations/card-limit.operation';
import type { MemberId } from '../members/member-id';
import type { CardLimitsRequest, CardLimitsResponse } from './dto/card-limits.dto';

/** Replaces the per-transaction, daily and monthly payment limits of one of the member's cards. */
@Injectable()
export class CardLimitsService {
  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly kona: KonaplateClient,
  ) {}

  update(
    memberId: MemberId,
    key: string,
    par: string,
    limits: CardLimitsRequest,
  ): Promise<IdempotentOutcome> {
    const { perTransaction, daily, monthly } = limits;
    const requested = { perTransaction, daily, monthly };
    return this.idempotency.run(
      // Fingerprinted on the validated values, not the URL's spelling (%41 is the same card as A).
      { memberId, key, method: 'PUT', path: `/v1/me/cards/${par}/limits`, body: requested },
      (at) => this.kona.newCorrelationId(at),
      async (correlationId, at): Promise<CardLimitsResponse> => {
        await this.kona.call(CARD_LIMIT_UPDATE, cardLimitBody(memberId, par, requested), {
          correlationId,
          at,
        });
        return { limits: requested };
      },
    );
  }
}
