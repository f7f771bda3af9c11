import type { KonaOperation } from '../../src/konaplate/operations/kona-operation';
import { KONA_OPERATIONS } from '../../src/konaplate/operations/kona-operations';

/**
 * The operations the sandbox implements, by their descriptor name (src/konaplate/operations). Names
 * and paths are read from KONA_OPERATIONS; this list only says which of them the sandbox can answer.
 */
export const SANDBOX_ENDPOINTS = [
  'namedcard',
  'card-limit-update',
  'card-list',
  'card-status',
] as const;

/** A KONA endpoint the sandbox stands in for: the `name` of its operation descriptor. */
export type KonaEndpoint = (typeof SANDBOX_ENDPOINTS)[number];

/** What a request path names: an implemented endpoint, or an operation the sandbox cannot answer. */
export type EndpointMatch =
  | { implemented: true; endpoint: KonaEndpoint; operation: KonaOperation<never, unknown> }
  | { implemented: false; operation: KonaOperation<never, unknown> };

/** KONA's API path of each implemented endpoint, from the descriptors. */
export const KONA_PATHS: Readonly<Record<KonaEndpoint, string>> = Object.fromEntries(
  SANDBOX_ENDPOINTS.map((name) => [name, operationNamed(name).path]),
) as Record<KonaEndpoint, string>;

// The real sandbox lives under https://sandbox.konaplate.com/open-api, so a gateway may be configured
// with a base URL ending in /open-api: accept that prefix too rather than make the URL a trap.
const OPEN_API_PREFIX = '/open-api';

/**
 * Which KONA operation a request path names, if any. An operation the gateway describes but the
 * sandbox does not implement is matched too, so it can be refused loudly instead of answered 404.
 */
export function konaEndpointFor(pathname: string): EndpointMatch | undefined {
  const path = pathname.startsWith(OPEN_API_PREFIX + '/')
    ? pathname.slice(OPEN_API_PREFIX.length)
    : pathname;
  const operation = KONA_OPERATIONS.find((candidate) => candidate.path === path);
  if (operation === undefined) return undefined;
  return isImplemented(operation.name)
    ? { implemented: true, endpoint: operation.name, operation }
    : { implemented: false, operation };
}

/** The descriptor of an endpoint (every implemented name has one, or the sandbox fails to load). */
export function operationNamed(name: KonaEndpoint): KonaOperation<never, unknown> {
  const operation = KONA_OPERATIONS.find((candidate) => candidate.name === name);
  if (operation === undefined) {
    throw new Error(`sandbox: no KONA operation named ${name} in src/konaplate/operations`);
  }
  return operation;
}

function isImplemented(name: string): name is KonaEndpoint {
  return (SANDBOX_ENDPOINTS as readonly string[]).includes(name);
}
