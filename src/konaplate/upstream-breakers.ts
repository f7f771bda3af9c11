import { Inject, Injectable, Optional } from '@nestjs/common';
import type { CircuitBreakerPolicy } from 'cockatiel';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import { DomainError } from '../common/errors/domain.error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import type { CircuitStateName } from './kona-call.observer';
import { KonaCallObserver } from './kona-call.observer';
import { TransportFailure } from './kona-transport';

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * Failures that count toward opening: no answer at all, or an answer that is not a business
 * answer (5xx, unreadable). KONA saying "wallet user not found" is KONA working.
 */
export function isUpstreamFailure(error: unknown): boolean {
  return (
    error instanceof TransportFailure ||
    (error instanceof DomainError && error.details.outcomeUnknown === true)
  );
}

/** One circuit breaker per KONA operation (cockatiel), opened by consecutive failures. */
@Injectable()
export class UpstreamBreakers {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly observer?: KonaCallObserver,
  ) {}

  /** Seconds a caller should wait while a circuit is open. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.config.breaker.cooldownMs / 1000));
  }

  /** Runs `fn` through the operation's breaker; rejects with BrokenCircuitError while open. */
  execute<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return this.breaker(operation).execute(fn);
  }

  private breaker(operation: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(operation);
    if (!breaker) {
      const { threshold, cooldownMs } = this.config.breaker;
      breaker = circuitBreaker(handleWhen(isUpstreamFailure), {
        halfOpenAfter: cooldownMs,
        breaker: new ConsecutiveBreaker(threshold),
      });
      breaker.onStateChange((state) => this.observer?.circuitState(operation, STATE_NAMES[state]));
      this.observer?.circuitState(operation, 'closed');
      this.breakers.set(operation, breaker);
    }
    return breaker;
  }
}

export { BrokenCircuitError };
