import { Body, Controller, HttpCode, Param, Put, Res, UseGuards } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentMember } from '../auth/current-member.decorator';
import { IdempotencyKey } from '../idempotency/idempotency-key.decorator';
import { sendAnswer } from '../operations/send-answer';
import { JsonObjectPipe } from '../common/validation/json-object.pipe';
import { strictValidationPipe } from '../common/validation/validation.pipe';
import { CARD_LIMIT_UPDATE } from '../konaplate/operations/card-limit.operation';
import type { MemberId } from '../members/member-id';
import { ApiKonaRoute } from '../openapi/api-kona-route.decorator';
import { OperationRunner } from '../operations/operation-runner';
import { CardLimitsRequest, CardLimitsResponse } from './dto/card-limits.dto';
import { CardPath, PAR_PARAM } from './dto/card-path.dto';

@ApiTags('cards')
@Controller()
@UseGuards(AuthGuard)
export class CardLimitsController {
  constructor(private readonly operations: OperationRunner) {}

  @Put(CARD_LIMIT_UPDATE.route.path)
  @HttpCode(200)
  @ApiKonaRoute(CARD_LIMIT_UPDATE, CardLimitsResponse, {
    operationId: 'updateCardLimits',
    summary: 'Replace the per-transaction, daily and monthly payment limits of a card',
  })
  @ApiParam(PAR_PARAM)
  async update(
    @CurrentMember() memberId: MemberId,
    @IdempotencyKey() key: string,
    @Param(strictValidationPipe()) path: CardPath,
    @Body(JsonObjectPipe, strictValidationPipe()) body: CardLimitsRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { perTransaction, daily, monthly } = body;
    const input = { par: path.par, perTransaction, daily, monthly };
    await sendAnswer(reply, await this.operations.run(CARD_LIMIT_UPDATE, memberId, input, key));
  }
}
