import type { MemberId } from '../members/member-id';
import { VerifiedTokenCache } from './verified-token.cache';

const member = (id: string) => id as MemberId;

describe('VerifiedTokenCache', () => {
  it('returns the member of a token verified earlier, until the token expires', () => {
    let now = 1_000;
    const cache = new VerifiedTokenCache(10, () => now);
    cache.set('t1', member('42'), 2_000);

    expect(cache.get('t1')).toBe('42');
    now = 2_000;
    expect(cache.get('t1')).toBeUndefined();
  });

  it('knows nothing of a token it was never given', () => {
    expect(new VerifiedTokenCache().get('never-seen')).toBeUndefined();
  });

  it('evicts the oldest token once full, so distinct tokens cannot grow it', () => {
    const cache = new VerifiedTokenCache(2, () => 0);
    cache.set('a', member('1'), 10);
    cache.set('b', member('2'), 10);
    cache.set('c', member('3'), 10);

    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('2');
    expect(cache.get('c')).toBe('3');
  });
});
