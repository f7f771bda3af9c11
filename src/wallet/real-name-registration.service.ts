import { Injectable } from '@nestjs/common';
import { IdempotencyService } from '../idempotency/idempotency.service';
import type { IdempotentOutcome } from '../idempotency/idempotent-outcome';
import { KonaplateClient } from '../konaplate/konaplate.client';
import { NAMED_CARD, namedCardBody } from '../konaplate/operations/named-card.operation';
import type { MemberId } from '../members/member-id';
import type {
  RealNameRegistrationRequest,
  RealNameRegistrationResponse,
} from './dto/real-name-registration.dto';

/** Registers the member's card as named (real-name), raising its balance limit. */
@Injectable()
export class RealNameRegistrationService {
  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly kona: KonaplateClient,
  ) {}

  register(
    memberId: MemberId,
    key: string,
    request: RealNameRegistrationRequest,
  ): Promise<IdempotentOutcome> {
    return this.idempotency.run(
      { memberId, key, method: 'POST', path: '/v1/me/real-name-registration', body: request },
      (at) => this.kona.newCorrelationId(at),
      async (correlationId, at): Promise<RealNameRegistrationResponse> => {
        await this.kona.call(NAMED_CARD, namedCardBody(memberId, request.identityVerified), {
          correlationId,
          at,
        });
        return { realNameRegistered: true };
      },
    );
  }
}
