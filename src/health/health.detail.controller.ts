import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ALIVE, ReadinessCheck } from './readiness.check';

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
    await reply.header('cache-control', 'no-store').send(ALIVE);
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const { ready, result } = await this.readiness.run();
    await reply
      .status(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(result);
  }
}
