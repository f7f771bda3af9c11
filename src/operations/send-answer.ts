import type { FastifyReply } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '../common/problem/problem';
import type { RouteAnswer } from './route-answer';

/** Sends a fresh, replayed or read-only answer; the body is the stored string, sent as is. */
export async function sendAnswer(reply: FastifyReply, outcome: RouteAnswer): Promise<void> {
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
