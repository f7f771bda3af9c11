import { hash } from 'node:crypto';
import type { RecordScope } from './idempotency.store';

/**
 * Redis key names. `{memberId}` is the Cluster hash tag: a member's record and rate counter share
 * a slot, so one script may touch both. The idempotency key is hashed to bound the key size.
 */
export function recordKey({ memberId, key }: RecordScope): string {
  return `kbff:idem:{${memberId}}:${hash('sha256', key, 'base64url')}`;
}

export function rateKey(memberId: string): string {
  return `kbff:rate:{${memberId}}`;
}
