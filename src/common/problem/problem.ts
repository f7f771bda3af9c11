import type { DomainError, FieldError } from '../errors/domain.error';
import { ERROR_SPECS, type ErrorCode } from '../errors/error-code';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, with the gateway's extension members. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  /** The answer's X-Request-Id (the caller's, when well formed). */
  requestId?: string;
  correlationId?: string;
  upstreamCode?: string;
  errors?: FieldError[];
}

/** `type` URIs are stable identifiers documented in the README, one per code. */
export function problemType(code: ErrorCode): string {
  return `https://kona-bff.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

export function toProblem(error: DomainError, requestId?: string): Problem {
  const { code, details } = error;
  const spec = ERROR_SPECS[code];
  const problem: Problem = {
    type: problemType(code),
    title: spec.title,
    status: spec.status,
    detail: details.detail ?? spec.title,
    code,
  };
  if (requestId !== undefined) problem.requestId = requestId;
  if (details.correlationId) problem.correlationId = details.correlationId;
  if (details.upstreamCode) problem.upstreamCode = details.upstreamCode;
  if (details.errors) problem.errors = details.errors;
  return problem;
}

/** Headers that go with a problem answer (Retry-After, X-Correlation-Id, and any the thrower set). */
export function problemHeaders(error: DomainError): Record<string, string> {
  const { details } = error;
  const headers: Record<string, string> = { ...details.headers };
  if (details.retryAfter !== undefined) headers['retry-after'] = String(details.retryAfter);
  if (details.correlationId) headers['x-correlation-id'] = details.correlationId;
  return headers;
}
