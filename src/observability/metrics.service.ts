import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { REDIS_ERROR_KINDS, type RedisErrorKind } from '../idempotency/redis-error-kind';
import type {
  CircuitStateName,
  KonaCallRecord,
  KonaRetryRecord,
} from '../konaplate/kona-call.observer';
import { KonaCallObserver } from '../konaplate/kona-call.observer';
import { droppedLogLines } from './log-destination';

/** How an idempotent request was served (counted by the idempotency service). */
export type IdempotencyOutcome =
  | 'claimed'
  | 'retried'
  | 'taken_over'
  | 'replayed'
  | 'in_use'
  | 'reused'
  | 'rate_limited'
  | 'store_error'
  | 'completed_late'
  | 'complete_failed';

/**
 * Every metric the gateway exports, in its own registry (several apps can share a test process).
 */
@Injectable()
export class MetricsService extends KonaCallObserver {
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests served, by route pattern, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly upstreamDuration = new Histogram({
    name: 'konaplate_call_duration_seconds',
    help: 'Duration of KONA PLATE calls, by operation and outcome (success, KONA code or failure)',
    labelNames: ['operation', 'outcome'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly upstreamCalls = new Counter({
    name: 'konaplate_calls_total',
    help: 'KONA PLATE calls, by operation and outcome',
    labelNames: ['operation', 'outcome'],
    registers: [this.registry],
  });

  private readonly transportRetries = new Counter({
    name: 'konaplate_transport_retries_total',
    help: 'KONA PLATE requests sent a second time by the transport, by operation and reason (refused, unsent)',
    labelNames: ['operation', 'reason'],
    registers: [this.registry],
  });

  private readonly idempotency = new Counter({
    name: 'idempotency_outcomes_total',
    help: 'Idempotent requests by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  private readonly redisErrors = new Counter({
    name: 'redis_errors_total',
    help: 'Redis errors: connection events and failed commands, by kind (see redis-error-kind.ts)',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  private readonly circuit = new Gauge({
    name: 'konaplate_circuit_state',
    help: 'Circuit breaker state per KONA operation: 0 closed, 1 open, 2 half-open',
    labelNames: ['operation'],
    registers: [this.registry],
  });

  constructor() {
    super();
    collectDefaultMetrics({ register: this.registry });
    // Counted by the process' one stdout destination (log-destination.ts), read at each scrape.
    new Counter({
      name: 'logs_dropped_total',
      help: 'Log lines dropped because stdout did not take them (bounded log buffer)',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(droppedLogLines());
      },
    });
    // Every kind from 0: an alert on rate(redis_errors_total[5m]) sees the first error.
    for (const kind of REDIS_ERROR_KINDS) this.redisErrors.inc({ kind }, 0);
  }

  record(call: KonaCallRecord): void {
    const labels = { operation: call.operation, outcome: call.outcome };
    this.upstreamDuration.observe(labels, call.durationMs / 1000);
    this.upstreamCalls.inc(labels);
  }

  retried(retry: KonaRetryRecord): void {
    this.transportRetries.inc({ operation: retry.operation, reason: retry.reason });
  }

  httpRequest(route: string, method: string, status: number, seconds: number): void {
    this.httpDuration.observe({ route, method, status: String(status) }, seconds);
  }

  idempotencyOutcome(outcome: IdempotencyOutcome): void {
    this.idempotency.inc({ outcome });
  }

  redisError(kind: RedisErrorKind): void {
    this.redisErrors.inc({ kind });
  }

  circuitState(operation: string, state: CircuitStateName): void {
    this.circuit.set({ operation }, state === 'closed' ? 0 : state === 'open' ? 1 : 2);
  }
}
