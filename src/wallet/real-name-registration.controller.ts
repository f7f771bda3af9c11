import { Body, Controller, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentMember } from '../auth/current-member.decorator';
import { IdempotencyKey } from '../idempotency/idempotency-key.decorator';
import { sendAnswer } from '../operations/send-answer';
import { JsonObjectPipe } from '../common/validation/json-object.pipe';
import { strictValidationPipe } from '../common/validation/validation.pipe';
import { NAMED_CARD } from '../konaplate/operations/named-card.operation';
import type { MemberId } from '../members/member-id';
import { ApiKonaRoute } from '../openapi/api-kona-route.decorator';
import { OperationRunner } from '../operations/operation-runner';
import {
  RealNameRegistrationRequest,
  RealNameRegistrationResponse,
} from './dto/real-name-registration.dto';

@ApiTags('wallet')
@Controller()
@UseGuards(AuthGuard)
export class RealNameRegistrationController {
  constructor(private readonly operations: OperationRunner) {}

  @Post(NAMED_CARD.route.path)
  @HttpCode(200)
  @ApiKonaRoute(NAMED_CARD, RealNameRegistrationResponse, {
    operationId: 'registerRealName',
    summary: "Register the member's card under their real name, raising its balance limit",
  })
  async register(
    @CurrentMember() memberId: MemberId,
    @IdempotencyKey() key: string,
    @Body(JsonObjectPipe, strictValidationPipe()) body: RealNameRegistrationRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const input = { identityVerified: body.identityVerified };
    await sendAnswer(reply, await this.operations.run(NAMED_CARD, memberId, input, key));
  }
}
