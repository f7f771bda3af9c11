import type { FastifyRequest } from 'fastify';

/** The path with its values and without the query: part of the request fingerprint. */
export function requestPath(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index < 0 ? request.url : request.url.slice(0, index);
}
