import { type Attributes, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { TRACER_NAME } from './span-attributes';

/** How a traced call describes its result and its failure on its span. */
export interface SpanOutcome<T> {
  settled(result: T): Attributes;
  failed(error: unknown): Attributes;
}

/**
 * Runs `call` in a CLIENT span, a child of the active span (the request's), with `attributes` at
 * the start and the outcome's at the end. A failure marks the span as an error with `error.type`
 * (the error's name) and no message: messages of I/O errors may quote what was sent.
 */
export function inClientSpan<T>(
  name: string,
  attributes: Attributes,
  call: () => Promise<T>,
  outcome: SpanOutcome<T>,
): Promise<T> {
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const result = await call();
      span.setAttributes(outcome.settled(result));
      return result;
    } catch (error) {
      span.setAttributes({
        [ATTR_ERROR_TYPE]: error instanceof Error ? error.name : 'unknown',
        ...outcome.failed(error),
      });
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
