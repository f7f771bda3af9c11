import type { FastifyReply } from 'fastify';
import type { IdempotentOutcome } from '../../idempotency/idempotent-outcome';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem';

/** Sends a fresh, replayed or read-only answer; the body is the stored string, sent as is. */
export async function sendOutcome(reply: FastifyReply, outcome: IdempotentOutcome): Promise<void> {
  const headers: Record<string, string> = {
    ...outcome.headers,
    'x-correlation-id': outcome.correlationId,
  };
  if (outcome.replayed) headers['idempotent-replayed'] = 'true';
  await reply
    .status(outcome.status)
    .headers(headers)
    .type(outcome.status >= 400 ? PROBLEM_CONTENT_TYPE : 'application/json; charset=utf-8')
    .send(outcome.body);
}
