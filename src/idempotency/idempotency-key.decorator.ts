import type { ExecutionContext } from '@nestjs/common';
import { createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { parseIdempotencyKey } from './idempotency-key';

/** The request's Idempotency-Key, validated (400 when missing or malformed). */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext) =>
  parseIdempotencyKey(
    context.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'],
  ),
);
