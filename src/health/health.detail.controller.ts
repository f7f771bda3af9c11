import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ReadinessCheck, sendAlive, sendReadiness } from './readiness.check';

/**
 * The probes on the management port (management/), with every check's detail: the store kind,
 * Redis' latency or its own error text, the lifecycle state. For operators, never the internet.
 */
@ApiExcludeController()
@Controller('health')
export class HealthDetailController {
  constructor(private readonly readiness: ReadinessCheck) {}

  @Get('live')
  async live(@Res() reply: FastifyReply): Promise<void> {
    await sendAlive(reply);
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    await sendReadiness(reply, await this.readiness.run(), true);
  }
}
