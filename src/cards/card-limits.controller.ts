import { Body, Controller, HttpCode, Param, Put, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentMember } from '../auth/current-member.decorator';
import { IdempotencyKey } from '../common/http/idempotency-key.decorator';
import { sendOutcome } from '../common/http/send-outcome';
import { JsonObjectPipe } from '../common/validation/json-object.pipe';
import { strictValidationPipe } from '../common/validation/validation.pipe';
import type { MemberId } from '../members/member-id';
import { ApiIdempotentRoute } from '../openapi/api-idempotent.decorator';
import {
  CardLimitsRequest,
  CardLimitsResponse,
  CardPath,
  PAR_PATTERN,
} from './dto/card-limits.dto';
import { CardLimitsService } from './card-limits.service';

@ApiTags('cards')
@Controller('v1/me/cards')
@UseGuards(AuthGuard)
export class CardLimitsController {
  constructor(private readonly service: CardLimitsService) {}

  @Put(':par/limits')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'updateCardLimits',
    summary: 'Replace the per-transaction, daily and monthly payment limits of a card',
  })
  @ApiParam({
    name: 'par',
    description: 'Payment Account Reference of the card: exactly 27 letters and digits.',
    schema: { type: 'string', pattern: PAR_PATTERN.source, minLength: 27, maxLength: 27 },
  })
  @ApiIdempotentRoute(CardLimitsResponse, {
    422: 'ACCOUNT_NOT_LINKED (KONA 003_024) or IDEMPOTENCY_KEY_REUSED.',
  })
  async update(
    @CurrentMember() memberId: MemberId,
    @IdempotencyKey() key: string,
    @Param(strictValidationPipe()) path: CardPath,
    @Body(JsonObjectPipe, strictValidationPipe()) body: CardLimitsRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const outcome = await this.service.update(memberId, key, path.par, body);
    await sendOutcome(reply, outcome);
  }
}
