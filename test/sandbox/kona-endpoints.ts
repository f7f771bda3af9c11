/** The KONA endpoints the sandbox stands in for. */
export type KonaEndpoint = 'namedcard' | 'limitUpdate';

/** API path of each endpoint, as the gateway appends it to the base URL. */
export const KONA_PATHS: Readonly<Record<KonaEndpoint, string>> = {
  namedcard: '/api/v1/user/namedcard',
  limitUpdate: '/api/v1/card/payment/limit/update',
};

// The real sandbox lives under https://sandbox.konaplate.com/open-api, so a gateway may be configured
// with a base URL ending in /open-api: accept that prefix too rather than make the URL a trap.
const OPEN_API_PREFIX = '/open-api';

/** Which KONA endpoint a request path names, if any. */
export function konaEndpointFor(pathname: string): KonaEndpoint | undefined {
  const path = pathname.startsWith(OPEN_API_PREFIX + '/')
    ? pathname.slice(OPEN_API_PREFIX.length)
    : pathname;
  for (const [endpoint, konaPath] of Object.entries(KONA_PATHS) as [KonaEndpoint, string][]) {
    if (path === konaPath) return endpoint;
  }
  return undefined;
}
