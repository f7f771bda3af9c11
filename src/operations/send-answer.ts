import type { FastifyReply } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '../common/problem/problem';
import type { RouteAnswer } from './route-answer';

/**
 * Sends a fresh, replayed or read-only answer; the body is the stored string, sent as is, except
 * that a fresh problem (a KONA refusal, stored for replays without it) names this request's id
 * like every other problem does. A replay carries none: it answers an earlier request.
 */
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
    .send(
      outcome.status >= 400 && !outcome.replayed
        ? withRequestId(outcome.body, reply)
        : outcome.body,
    );
}

function withRequestId(body: string, reply: FastifyReply): string {
  const problem = JSON.parse(body) as Record<string, unknown>;
  return JSON.stringify({ ...problem, requestId: reply.request.id });
}
