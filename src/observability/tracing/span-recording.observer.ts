import { trace } from '@opentelemetry/api';
import { SPAN_ATTRIBUTES } from '../../common/tracing/span-attributes';
import type {
  CircuitStateName,
  KonaCallRecord,
  KonaRetryRecord,
} from '../../konaplate/kona-call.observer';
import { KonaCallObserver } from '../../konaplate/kona-call.observer';

/**
 * Hands every KONA call to `next` (the metrics) and writes what KONA's answer meant on the active
 * span, the request's: the exchange's own span only knows the HTTP status, the client knows the
 * result code (a 400 may be `001_006`) once the answer is read.
 */
export class SpanRecordingObserver extends KonaCallObserver {
  constructor(private readonly next: KonaCallObserver) {
    super();
  }

  record(call: KonaCallRecord): void {
    this.next.record(call);
    trace.getActiveSpan()?.setAttributes({
      [SPAN_ATTRIBUTES.operation]: call.operation,
      [SPAN_ATTRIBUTES.upstreamOutcome]: call.outcome,
    });
  }

  retried(retry: KonaRetryRecord): void {
    this.next.retried(retry);
  }

  circuitState(operation: string, state: CircuitStateName): void {
    this.next.circuitState(operation, state);
  }
}
