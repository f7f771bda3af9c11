import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';

/** Deeper than any body the API accepts, shallow enough that nothing downstream recurses far. */
export const MAX_JSON_DEPTH = 16;

/**
 * The only body parser: application/json (any charset), with Fastify's prototype-poisoning
 * guard (`__proto__`, `constructor.prototype` are refused) and a nesting bound checked before
 * parsing. Every other content type is a 415 (Fastify's text/plain parser is removed).
 */
export function installJsonBodyParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    (request: FastifyRequest, body: string | Buffer, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (nestingDepth(text) > MAX_JSON_DEPTH) {
        done(
          new DomainError(ErrorCode.ValidationFailed, {
            detail: `The body nests deeper than ${MAX_JSON_DEPTH} levels.`,
            errors: [{ field: '(body)', message: `nesting deeper than ${MAX_JSON_DEPTH} levels` }],
          }),
          undefined,
        );
        return;
      }
      void parse(request, text, (error, value: unknown) => {
        if (error) return done(error, undefined);
        const key = forbiddenKey(value);
        if (key === undefined) return done(null, value);
        done(
          new DomainError(ErrorCode.ValidationFailed, {
            detail: `The body uses the reserved key "${key}".`,
            errors: [
              { field: key, message: 'reserved key (prototype, constructor, Object methods)' },
            ],
          }),
          undefined,
        );
      });
    },
  );
}

/** Maximum depth of brackets outside strings; a linear scan, no recursion. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/**
 * Keys that name Object's own machinery: class-transformer and Nest's pipes silently drop them
 * instead of reporting them as unknown, so they are refused here, at any depth.
 */
const RESERVED_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

export function forbiddenKey(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (RESERVED_KEYS.has(key)) return key;
    const nested = forbiddenKey(child);
    if (nested !== undefined) return nested;
  }
  return undefined;
}
