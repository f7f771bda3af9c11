import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { HealthCheckResult, HealthIndicatorResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { HealthCheckService } from '@nestjs/terminus';
import { ReadinessIndicators } from './readiness.indicators';

export interface Readiness {
  ready: boolean;
  /** Terminus' result, every check with its detail (Redis' own error text included). */
  result: HealthCheckResult;
}

/**
 * The checks behind both readiness probes, run through terminus (which fails them while the app
 * drains): the API port's and the management port's differ only in how much they tell.
 */
@Injectable()
export class ReadinessCheck {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: ReadinessIndicators,
  ) {}

  async run(): Promise<Readiness> {
    try {
      const result = await this.health.check([
        () => this.indicators.lifecycle(),
        () => this.indicators.redis(),
      ]);
      return { ready: true, result };
    } catch (error) {
      // Terminus throws a 503 carrying the check details.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      return { ready: false, result: error.getResponse() as HealthCheckResult };
    }
  }
}

/** The result with each check's status only: what the API port may tell anyone who asks. */
export function withoutDetail(result: HealthCheckResult): HealthCheckResult {
  const statuses = (checks: HealthCheckResult['info']): HealthIndicatorResult | undefined =>
    checks &&
    Object.fromEntries(
      Object.entries(checks).flatMap(([name, check]) =>
        check === undefined ? [] : [[name, { status: check.status }]],
      ),
    );
  return {
    status: result.status,
    info: statuses(result.info),
    error: statuses(result.error),
    details: statuses(result.details) ?? {},
  };
}

/** /health/live's answer: the process serves; no dependency is checked. */
export const ALIVE: HealthCheckResult = Object.freeze({
  status: 'ok',
  info: {},
  error: {},
  details: {},
});

/** Both ports' probe answers: never cached; readiness 503 when a check is down. */
export async function sendAlive(reply: FastifyReply): Promise<void> {
  await reply.header('cache-control', 'no-store').send(ALIVE);
}

export async function sendReadiness(
  reply: FastifyReply,
  { ready, result }: Readiness,
  detail: boolean,
): Promise<void> {
  await reply
    .status(ready ? 200 : 503)
    .header('cache-control', 'no-store')
    .send(detail ? result : withoutDetail(result));
}
