import type { Type } from '@nestjs/common';
import { applyDecorators } from '@nestjs/common';
import type { ApiResponseOptions } from '@nestjs/swagger';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiHeader,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { ProblemSchema } from './problem.schema';

const header = (description: string, schema: object = { type: 'string' }) => ({
  description,
  schema,
});

const CORRELATION = {
  'X-Correlation-Id': header(
    'KONA correlation id (20 characters) of the upstream call for this key.',
    {
      type: 'string',
      pattern: '^\\d{12}-[0-9a-f]{7}$',
    },
  ),
};
const REPLAYED = {
  'Idempotent-Replayed': header('Present (true) when this answer is a replay of an earlier one.', {
    type: 'string',
    enum: ['true'],
  }),
};
const RETRY_AFTER = {
  'Retry-After': header('Seconds to wait before retrying.', { type: 'integer' }),
};
const RATE = {
  'RateLimit-Limit': header('Requests allowed per minute for this member.', { type: 'integer' }),
  'RateLimit-Remaining': header('Requests left in the current window.', { type: 'integer' }),
  'RateLimit-Reset': header('Seconds until the window resets.', { type: 'integer' }),
};

const problemContent = {
  'application/problem+json': { schema: { $ref: getSchemaPath(ProblemSchema) } },
};

/** Which problem statuses each route can answer, with what they mean. */
const PROBLEMS: Record<number, { description: string; headers?: object }> = {
  400: {
    description:
      'VALIDATION_FAILED, MALFORMED_BODY, IDEMPOTENCY_KEY_MISSING, IDEMPOTENCY_KEY_INVALID or INVALID_INPUT (KONA 000_002).',
    headers: { ...CORRELATION, ...REPLAYED },
  },
  401: {
    description: 'UNAUTHENTICATED: bearer token missing, invalid or expired.',
    headers: { 'WWW-Authenticate': header('Bearer challenge.') },
  },
  404: {
    description: 'WALLET_USER_NOT_FOUND (KONA 001_006).',
    headers: { ...CORRELATION, ...REPLAYED },
  },
  409: {
    description: 'IDEMPOTENCY_KEY_IN_USE: a request with this key is still running.',
    headers: { ...CORRELATION, ...RETRY_AFTER },
  },
  413: { description: 'PAYLOAD_TOO_LARGE: the body is over 16 KiB.' },
  415: { description: 'UNSUPPORTED_MEDIA_TYPE: the body is not application/json.' },
  422: {
    description: 'IDEMPOTENCY_KEY_REUSED, or a KONA business refusal (see the route).',
    headers: { ...CORRELATION, ...REPLAYED },
  },
  429: {
    description: 'RATE_LIMITED: too many requests for this member.',
    headers: { ...RETRY_AFTER, ...RATE },
  },
  500: { description: 'INTERNAL: an unexpected error; nothing internal is disclosed.' },
  502: {
    description:
      'UPSTREAM_ERROR: KONA answered with an unknown code, a 5xx or an unreadable body, or the connection broke.',
    headers: { ...CORRELATION, ...REPLAYED },
  },
  503: {
    description:
      'UPSTREAM_UNAVAILABLE (KONA unreachable or circuit open) or STORE_UNAVAILABLE (idempotency store down).',
    headers: { ...CORRELATION, ...RETRY_AFTER },
  },
  504: {
    description: 'UPSTREAM_TIMEOUT: KONA did not answer in time; retry with the same key.',
    headers: CORRELATION,
  },
};

/**
 * Documents an authenticated, idempotent mobile route: bearer auth, the Idempotency-Key header,
 * the success answer and every problem answer with their headers.
 */
export function ApiIdempotentRoute(
  success: Type<unknown>,
  notes: Partial<Record<number, string>> = {},
) {
  const problems = Object.entries(PROBLEMS).map(([status, spec]) => {
    const options: ApiResponseOptions = {
      status: Number(status),
      description: notes[Number(status)] ?? spec.description,
      content: problemContent,
      headers: spec.headers as ApiResponseOptions['headers'],
    };
    return ApiResponse(options);
  });
  return applyDecorators(
    ApiExtraModels(ProblemSchema),
    ApiBearerAuth(),
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      description:
        'Unique per intended operation: 1-255 visible ASCII characters, bare or quoted ("abc" = abc). Retries of the same operation reuse it.',
      schema: { type: 'string', minLength: 1, maxLength: 257 },
    }),
    ApiResponse({
      status: 200,
      description: 'Done (or a replay of the first answer for this key).',
      type: success,
      headers: { ...CORRELATION, ...REPLAYED, ...RATE },
    }),
    ...problems,
  );
}
