import { HttpException } from '@nestjs/common';
import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';

/** Fastify's own request errors (raised before any route code runs), by their `code`. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PayloadTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.UnsupportedMediaType,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.MalformedBody,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.MalformedBody,
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.MalformedBody,
};

const HTTP_STATUS_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.MalformedBody,
  404: ErrorCode.NotFound,
  405: ErrorCode.MethodNotAllowed,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
};

function fastifyCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof HttpException) return error.getStatus();
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  return typeof error.statusCode === 'number' ? error.statusCode : undefined;
}

/**
 * Maps anything thrown while serving a request to a {@link DomainError}; returns undefined for
 * errors nobody expected (they become INTERNAL and are logged).
 */
export function toDomainError(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  const byFastifyCode = FASTIFY_CODES[fastifyCode(error) ?? ''];
  if (byFastifyCode) return new DomainError(byFastifyCode);
  // JSON.parse errors thrown by the body parser (prototype-poisoning keys included).
  if (error instanceof SyntaxError) return new DomainError(ErrorCode.MalformedBody);
  const status = statusOf(error);
  const byStatus = status === undefined ? undefined : HTTP_STATUS_CODES[status];
  return byStatus ? new DomainError(byStatus) : undefined;
}
