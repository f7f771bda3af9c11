import { hash } from 'node:crypto';

/**
 * SHA-256 over the method, the path with its values, and the canonical body (keys sorted at
 * every depth), so the same request always gives the same fingerprint whatever the key order.
 */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  // One-shot crypto.hash: a Hash object per call costs about twice as much on Node 24.
  return hash('sha256', `${method.toUpperCase()} ${path}\n${canonicalJson(body)}`, 'hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
