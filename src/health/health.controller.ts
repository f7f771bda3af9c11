import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { HealthCheckResult } from '@nestjs/terminus';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { ReadinessIndicators } from './readiness.indicators';

/** Kubernetes probes: outside auth, rate limits and access logs. */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessIndicators,
  ) {}

  /**
   * The process runs and serves HTTP; no dependency is checked (a Redis outage must not restart
   * pods). Not a terminus check: terminus answers every check 503 while draining, and a draining
   * pod is alive.
   */
  @Get('live')
  async live(@Res() reply: FastifyReply): Promise<void> {
    const alive: HealthCheckResult = { status: 'ok', info: {}, error: {}, details: {} };
    await reply.header('cache-control', 'no-store').send(alive);
  }

  @Get('ready')
  @HealthCheck()
  async ready(@Res() reply: FastifyReply): Promise<void> {
    await this.answer(reply, () =>
      this.health.check([() => this.readiness.lifecycle(), () => this.readiness.redis()]),
    );
  }

  /** Terminus throws a 503 carrying the check details: send those, not a problem document. */
  private async answer(reply: FastifyReply, check: () => Promise<HealthCheckResult>) {
    try {
      await reply.header('cache-control', 'no-store').send(await check());
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      await reply.status(503).header('cache-control', 'no-store').send(error.getResponse());
    }
  }
}
