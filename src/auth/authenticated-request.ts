import type { FastifyRequest } from 'fastify';
import type { MemberId } from '../members/member-id';

/** A request the auth guard has let through; the member id comes only from the token. */
export interface AuthenticatedRequest extends FastifyRequest {
  memberId: MemberId;
}
