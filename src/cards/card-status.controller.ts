import { Body, Controller, HttpCode, Param, Put, Res, UseGuards } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentMember } from '../auth/current-member.decorator';
import { IdempotencyKey } from '../idempotency/idempotency-key.decorator';
import { sendAnswer } from '../operations/send-answer';
import { JsonObjectPipe } from '../common/validation/json-object.pipe';
import { strictValidationPipe } from '../common/validation/validation.pipe';
import { CARD_STATUS_UPDATE } from '../konaplate/operations/card-status.operation';
import type { MemberId } from '../members/member-id';
import { ApiKonaRoute } from '../openapi/api-kona-route.decorator';
import { OperationRunner } from '../operations/operation-runner';
import { CardPath, PAR_PARAM } from './dto/card-path.dto';
import { CardStatusRequest, CardStatusResponse } from './dto/card-status.dto';

@ApiTags('cards')
@Controller()
@UseGuards(AuthGuard)
export class CardStatusController {
  constructor(private readonly operations: OperationRunner) {}

  @Put(CARD_STATUS_UPDATE.route.path)
  @HttpCode(200)
  @ApiKonaRoute(CARD_STATUS_UPDATE, CardStatusResponse, {
    operationId: 'updateCardStatus',
    summary: 'Suspend a lost card, or make a suspended card active again',
  })
  @ApiParam(PAR_PARAM)
  async update(
    @CurrentMember() memberId: MemberId,
    @IdempotencyKey() key: string,
    @Param(strictValidationPipe()) path: CardPath,
    @Body(JsonObjectPipe, strictValidationPipe()) body: CardStatusRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const input = { par: path.par, status: body.status };
    await sendAnswer(reply, await this.operations.run(CARD_STATUS_UPDATE, memberId, input, key));
  }
}
