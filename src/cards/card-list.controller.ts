import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentMember } from '../auth/current-member.decorator';
import { sendAnswer } from '../operations/send-answer';
import { CARD_LIST } from '../konaplate/operations/card-list.operation';
import type { MemberId } from '../members/member-id';
import { ApiKonaRoute } from '../openapi/api-kona-route.decorator';
import { OperationRunner } from '../operations/operation-runner';
import { CardListResponse } from './dto/card-list.dto';

@ApiTags('cards')
@Controller()
@UseGuards(AuthGuard)
export class CardListController {
  constructor(private readonly operations: OperationRunner) {}

  @Get(CARD_LIST.route.path)
  @ApiKonaRoute(CARD_LIST, CardListResponse, {
    operationId: 'listCards',
    summary: "The member's cards: balance, pending top-ups, real-name state and (debit) limits",
  })
  async list(@CurrentMember() memberId: MemberId, @Res() reply: FastifyReply): Promise<void> {
    await sendAnswer(reply, await this.operations.run(CARD_LIST, memberId, {}));
  }
}
