import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';

/** Deeper than any body the API accepts, shallow enough that nothing downstream recurses far. */
export const MAX_JSON_DEPTH = 16;

/**
 * The only body parser: application/json (any charset), with Fastify's prototype-poisoning
 * guard (`__proto__`, `constructor.prototype` are refused) and a nesting bound checked before
 * parsing. Every other content type is a 415 (Fastify's text/plain parser is removed).
 * A number that would change when read (`1e-400` → 0, `1.0000000000000001` → 1, `1e400`) is
 * refused as VALIDATION_FAILED naming its field, rather than silently rounded.
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
        if (key !== undefined) {
          return done(
            new DomainError(ErrorCode.ValidationFailed, {
              detail: `The body uses the reserved key "${key}".`,
              errors: [
                { field: key, message: 'reserved key (prototype, constructor, Object methods)' },
              ],
            }),
            undefined,
          );
        }
        const inexact = inexactNumber(text);
        if (inexact === undefined) return done(null, value);
        done(
          new DomainError(ErrorCode.ValidationFailed, {
            detail: 'The body has a number that cannot be read without changing it.',
            errors: [
              {
                field: inexact.field,
                message: `${inexact.field} must be a number that reads exactly as written: ${shown(inexact.token)} would become ${String(Number(inexact.token))}`,
              },
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

/**
 * Whether reading the number token `token` as a JavaScript number keeps it: the shortest decimal
 * of the number read has the same significant digits as the token. `1e3`, `1.0`, `1000.000`,
 * `-0` and `0.5` read exactly (to 1000, 1, 1000, 0 and 0.5); `1e-400` (→ 0), `1.0000000000000001`
 * (→ 1), `9007199254740993` (→ …992) and `1e400` (→ Infinity) do not. Whether a number that
 * reads exactly is acceptable (an integer, in range) is the field validation's business.
 */
export function readsExactly(token: string): boolean {
  const number = Number(token);
  if (!Number.isFinite(number)) return false;
  return significantDigits(token) === significantDigits(String(number));
}

/** The digits of a number's text without sign, point, exponent, leading and trailing zeros. */
function significantDigits(text: string): string {
  const mantissa = text.replace(/^[-+]/, '').split(/[eE]/)[0];
  return mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
}

/**
 * Number tokens that may not read exactly: with a point or an exponent, or 16 digits and more.
 * Only bodies where one appears (anywhere, strings included) are scanned number by number.
 */
const MAYBE_INEXACT = /\d[.eE]|\d{16}/;

/**
 * The first number of a JSON text that does not read exactly ({@link readsExactly}), with the
 * path of its field as the validation names fields (`daily`, `a.0.b`; `(body)` for a bare number).
 * The text is valid JSON (the parser accepted it); JSON.parse hands the reviver each number's
 * source text.
 */
export function inexactNumber(text: string): { field: string; token: string } | undefined {
  if (!MAYBE_INEXACT.test(text)) return undefined;
  const tree: unknown = JSON.parse(
    text,
    (_key: string, value: unknown, context?: { source?: string }) =>
      typeof value === 'number' && context?.source !== undefined && !readsExactly(context.source)
        ? new Inexact(context.source)
        : value,
  );
  return findInexact(tree, []);
}

class Inexact {
  constructor(readonly token: string) {}
}

function findInexact(value: unknown, path: string[]): { field: string; token: string } | undefined {
  if (value instanceof Inexact) return { field: path.join('.') || '(body)', token: value.token };
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = findInexact(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/** A token as quoted in a message: at most 40 characters. */
function shown(token: string): string {
  return token.length > 40 ? `${token.slice(0, 39)}…` : token;
}
