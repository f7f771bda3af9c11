import type { Type } from '@nestjs/common';
import { applyDecorators } from '@nestjs/common';
import type { ApiResponseOptions } from '@nestjs/swagger';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { ERROR_SPECS, ErrorCode } from '../common/errors/error-code';
import type { KonaOperation } from '../konaplate/operations/kona-operation';
import { ProblemSchema } from './problem.schema';
import { konaCodesOf, routeErrors } from './route-errors';

const header = (description: string, schema: object = { type: 'string' }) => ({
  description,
  schema,
});

const CORRELATION = {
  'X-Correlation-Id': header(
    'KONA correlation id (20 characters) of the upstream call, when one was made.',
    { type: 'string', pattern: '^\\d{12}-[0-9a-f]{7}$' },
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
const NO_STORE = {
  'Cache-Control': header('private, no-store: card data is never cached.', {
    type: 'string',
    enum: ['private, no-store'],
  }),
};

/** Codes answered after a KONA transaction exists (they carry its correlation id). */
const WITH_CORRELATION = new Set<ErrorCode>([
  ErrorCode.IdempotencyKeyInUse,
  ErrorCode.UpstreamError,
  ErrorCode.UpstreamTimeout,
  ErrorCode.UpstreamUnavailable,
]);
const WITH_RETRY_AFTER = new Set<ErrorCode>([
  ErrorCode.IdempotencyKeyInUse,
  ErrorCode.RateLimited,
  ErrorCode.StoreUnavailable,
  ErrorCode.UpstreamUnavailable,
]);

/**
 * Documents the mobile route of a KONA operation from its descriptor: operation id and summary,
 * bearer auth, the Idempotency-Key when it mutates, the success answer and, per status, exactly
 * the problem codes the route can send (listed in the description and in `x-problem-codes`).
 */
export function ApiKonaRoute(
  op: KonaOperation,
  success: Type<unknown>,
  about: { operationId: string; summary: string },
) {
  const konaCodes = konaCodesOf(op);
  const problems = [...routeErrors(op)].map(([status, codes]) => {
    const fromKona = codes.some((code) => konaCodes.has(code));
    const headers = {
      ...(fromKona || codes.some((c) => WITH_CORRELATION.has(c)) ? CORRELATION : {}),
      ...(fromKona && op.mutates ? REPLAYED : {}),
      ...(codes.some((c) => WITH_RETRY_AFTER.has(c)) ? RETRY_AFTER : {}),
      ...(codes.includes(ErrorCode.RateLimited) ? RATE : {}),
      ...(codes.includes(ErrorCode.Unauthenticated)
        ? { 'WWW-Authenticate': header('Bearer challenge.') }
        : {}),
    };
    const lines = codes.map((code) => {
      const kona = konaCodes.get(code);
      return `${code}${kona ? ` (KONA ${kona.join(', ')})` : ''}: ${ERROR_SPECS[code].title}.`;
    });
    const options: ApiResponseOptions & { 'x-problem-codes': ErrorCode[] } = {
      status,
      description: lines.join(' '),
      content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemSchema) } } },
      headers: headers,
      'x-problem-codes': [...codes],
    };
    return ApiResponse(options);
  });
  const idempotency = op.mutates
    ? [
        ApiHeader({
          name: 'Idempotency-Key',
          required: true,
          description:
            'Unique per intended operation: 1-255 visible ASCII characters, bare or quoted ("abc" = abc). Retries of the same operation reuse it.',
          schema: { type: 'string', minLength: 1, maxLength: 257 },
        }),
      ]
    : [];
  return applyDecorators(
    ApiOperation(about),
    ApiExtension('x-kona-operation', op.name),
    ApiExtraModels(ProblemSchema),
    ApiBearerAuth(),
    ...idempotency,
    ApiResponse({
      status: 200,
      description: op.mutates
        ? 'Done (or a replay of the first answer for this key).'
        : 'The current state at KONA PLATE.',
      type: success,
      headers: {
        ...CORRELATION,
        ...(op.mutates ? REPLAYED : NO_STORE),
        ...RATE,
      },
    }),
    ...problems,
  );
}
