import { Body, Controller, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
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
  RealNameRegistrationRequest,
  RealNameRegistrationResponse,
} from './dto/real-name-registration.dto';
import { RealNameRegistrationService } from './real-name-registration.service';

@ApiTags('wallet')
@Controller('v1/me')
@UseGuards(AuthGuard)
export class RealNameRegistrationController {
  constructor(private readonly service: RealNameRegistrationService) {}

  @Post('real-name-registration')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'registerRealName',
    summary: "Register the member's card under their real name, raising its balance limit",
  })
  @ApiIdempotentRoute(RealNameRegistrationResponse, {
    422: 'IDENTITY_VERIFICATION_REQUIRED (KONA 011_001) or IDEMPOTENCY_KEY_REUSED.',
  })
  async register(
    @CurrentMember() memberId: MemberId,
    @IdempotencyKey() key: string,
    @Body(JsonObjectPipe, strictValidationPipe()) body: RealNameRegistrationRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const outcome = await this.service.register(memberId, key, body);
    await sendOutcome(reply, outcome);
  }
}
