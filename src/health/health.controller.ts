import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ReadinessCheck, sendAlive, sendReadiness } from './readiness.check';

/**
 * Kubernetes probes on the API port: outside auth, rate limits and access logs, and telling only
 * each check's status (the management port's /health/ready has the detail, health.detail.controller.ts).
 */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessCheck) {}

  /**
   * The process runs and serves HTTP; no dependency is checked (a Redis outage must not restart
   * pods). Not a terminus check: terminus answers every check 503 while draining, and a draining
   * pod is alive.
   */
  @Get('live')
  async live(@Res() reply: FastifyReply): Promise<void> {
    await sendAlive(reply);
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    await sendReadiness(reply, await this.readiness.run(), false);
  }
}
