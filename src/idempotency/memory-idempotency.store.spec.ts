import { parseMemberId, type MemberId } from '../members/member-id';
import type { ClaimRequest, RecordScope, StoredResponse } from './idempotency.store';
import { MemoryIdempotencyStore } from './memory-idempotency.store';

/** A clock the test moves by hand. */
class ManualClock {
  constructor(public ms = Date.parse('2026-11-22T05:30:05.000Z')) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

const member = (digits: string): MemberId => parseMemberId(digits)!;
const SCOPE: RecordScope = { memberId: member('9999999999999999999'), key: 'key-1' };
const LEASE_MS = 3000;
const TTL_S = 60;

function claimRequest(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    fingerprint: 'fp-1',
    owner: 'owner-a',
    correlationId: '261122143005-aaaaaaa',
    leaseMs: LEASE_MS,
    ttlSeconds: TTL_S,
    rateLimit: { limit: 0, windowMs: 60_000 },
    ...overrides,
  };
}

const ANSWER: StoredResponse = {
  status: 200,
  body: '{"realNameRegistered":true}',
  correlationId: '261122143005-aaaaaaa',
};

function setup() {
  const clock = new ManualClock();
  const store = new MemoryIdempotencyStore(clock.now);
  return { clock, store };
}

describe('MemoryIdempotencyStore claims', () => {
  it('claims a new key with the correlation id offered', async () => {
    // Arrange
    const { store } = setup();

    // Act
    const result = await store.claim(SCOPE, claimRequest());

    // Assert
    expect(result).toEqual({
      kind: 'claimed',
      correlationId: '261122143005-aaaaaaa',
      previous: 'none',
      rate: undefined,
    });
  });

  it('answers in-use with the time left on the lease while the holder runs', async () => {
    // Arrange
    const { clock, store } = setup();
    await store.claim(SCOPE, claimRequest());
    clock.advance(1200);

    // Act
    const result = await store.claim(SCOPE, claimRequest({ owner: 'owner-b' }));

    // Assert
    expect(result).toMatchObject({ kind: 'in-use', retryAfterMs: LEASE_MS - 1200 });
  });

  it('lets another request take the key over once the lease has expired, keeping its correlation id', async () => {
    // Arrange
    const { clock, store } = setup();
    await store.claim(SCOPE, claimRequest());
    clock.advance(LEASE_MS);

    // Act
    const result = await store.claim(
      SCOPE,
      claimRequest({ owner: 'owner-b', correlationId: '261122143008-bbbbbbb' }),
    );

    // Assert
    expect(result).toMatchObject({
      kind: 'claimed',
      correlationId: '261122143005-aaaaaaa',
      previous: 'expired',
    });
  });

  it('still answers in-use one millisecond before the lease ends', async () => {
    // Arrange
    const { clock, store } = setup();
    await store.claim(SCOPE, claimRequest());
    clock.advance(LEASE_MS - 1);

    // Act
    const result = await store.claim(SCOPE, claimRequest({ owner: 'owner-b' }));

    // Assert
    expect(result).toMatchObject({ kind: 'in-use', retryAfterMs: 1 });
  });

  it('answers reused for another fingerprint, even while the key is in use', async () => {
    // Arrange
    const { store } = setup();
    await store.claim(SCOPE, claimRequest());

    // Act
    const result = await store.claim(SCOPE, claimRequest({ fingerprint: 'fp-2', owner: 'b' }));

    // Assert
    expect(result).toMatchObject({ kind: 'reused' });
  });

  it('keeps members apart: the same key for another member is a new key', async () => {
    // Arrange
    const { store } = setup();
    await store.claim(SCOPE, claimRequest());

    // Act
    const result = await store.claim(
      { memberId: member('1001006'), key: SCOPE.key },
      claimRequest({ fingerprint: 'fp-other', correlationId: '261122143005-ccccccc' }),
    );

    // Assert
    expect(result).toMatchObject({
      kind: 'claimed',
      correlationId: '261122143005-ccccccc',
      previous: 'none',
    });
  });
});

describe('MemoryIdempotencyStore complete and release', () => {
  it('replays the stored answer after the holder completes', async () => {
    // Arrange
    const { store } = setup();
    await store.claim(SCOPE, claimRequest());
    const stored = await store.complete(SCOPE, 'owner-a', ANSWER, TTL_S);

    // Act
    const result = await store.claim(SCOPE, claimRequest({ owner: 'owner-b' }));

    // Assert
    expect(stored).toBe(true);
    expect(result).toMatchObject({ kind: 'replay', response: ANSWER });
  });

  it('refuses to complete for an owner that does not hold the key', async () => {
    // Arrange
    const { store } = setup();
    await store.claim(SCOPE, claimRequest());

    // Act
    const stored = await store.complete(SCOPE, 'owner-x', ANSWER, TTL_S);

    // Assert
    expect(stored).toBe(false);
    const next = await store.claim(SCOPE, claimRequest({ owner: 'owner-b' }));
    expect(next.kind).toBe('in-use');
  });

  it('refuses a stale holder whose key was taken over: it cannot overwrite the newer claim', async () => {
    // Arrange
    const { clock, store } = setup();
    await store.claim(SCOPE, claimRequest({ owner: 'owner-a' }));
    clock.advance(LEASE_MS);
    await store.claim(SCOPE, claimRequest({ owner: 'owner-b' }));

    // Act
    const staleComplete = await store.complete(SCOPE, 'owner-a', ANSWER, TTL_S);
    const staleRelease = await store.release(SCOPE, 'owner-a');

    // Assert
    expect(staleComplete).toBe(false);
    expect(staleRelease).toBe(false);
    const next = await store.claim(SCOPE, claimRequest({ owner: 'owner-c' }));
    expect(next.kind).toBe('in-use');
  });

  it('frees a released key for a retry that gets the same correlation id', async () => {
    // Arrange
    const { store } = setup();
    await store.claim(SCOPE, claimRequest());
    const released = await store.release(SCOPE, 'owner-a');

    // Act
    const result = await store.claim(
      SCOPE,
      claimRequest({ owner: 'owner-b', correlationId: '261122143009-ddddddd' }),
    );

    // Assert
    expect(released).toBe(true);
    expect(result).toMatchObject({
      kind: 'claimed',
      correlationId: '261122143005-aaaaaaa',
      previous: 'released',
    });
  });

  it('keeps the fingerprint of a released key: another body is still a reuse', async () => {
    // Arrange
    const { store } = setup();
    await store.claim(SCOPE, claimRequest());
    await store.release(SCOPE, 'owner-a');

    // Act
    const result = await store.claim(SCOPE, claimRequest({ fingerprint: 'fp-2', owner: 'b' }));

    // Assert
    expect(result.kind).toBe('reused');
  });

  it('refuses to release for an owner that does not hold the key', async () => {
    // Arrange
    const { store } = setup();
    await store.claim(SCOPE, claimRequest());

    // Act
    const released = await store.release(SCOPE, 'owner-x');

    // Assert
    expect(released).toBe(false);
    const next = await store.claim(SCOPE, claimRequest({ owner: 'owner-b' }));
    expect(next.kind).toBe('in-use');
  });

  it('cannot release or complete a key that is already done', async () => {
    // Arrange
    const { store } = setup();
    await store.claim(SCOPE, claimRequest());
    await store.complete(SCOPE, 'owner-a', ANSWER, TTL_S);

    // Act
    const released = await store.release(SCOPE, 'owner-a');
    const again = await store.complete(SCOPE, 'owner-a', { ...ANSWER, body: '{"other":1}' }, TTL_S);

    // Assert
    expect(released).toBe(false);
    expect(again).toBe(false);
    const replay = await store.claim(SCOPE, claimRequest({ owner: 'owner-b' }));
    expect(replay).toMatchObject({ kind: 'replay', response: ANSWER });
  });

  it('lets the holder complete after its lease ended when nobody took the key over', async () => {
    // Arrange: nothing claimed the key after the lease ended, so the holder still owns it.
    const { clock, store } = setup();
    await store.claim(SCOPE, claimRequest());
    clock.advance(LEASE_MS + 500);

    // Act
    const stored = await store.complete(SCOPE, 'owner-a', ANSWER, TTL_S);

    // Assert
    expect(stored).toBe(true);
  });
});

describe('MemoryIdempotencyStore expiry', () => {
  it('forgets a record after its TTL: the key is new again', async () => {
    // Arrange
    const { clock, store } = setup();
    await store.claim(SCOPE, claimRequest());
    await store.complete(SCOPE, 'owner-a', ANSWER, TTL_S);
    clock.advance(TTL_S * 1000);

    // Act
    const result = await store.claim(
      SCOPE,
      claimRequest({
        owner: 'owner-b',
        correlationId: '261122143105-eeeeeee',
        fingerprint: 'fp-2',
      }),
    );

    // Assert
    expect(result).toMatchObject({
      kind: 'claimed',
      correlationId: '261122143105-eeeeeee',
      previous: 'none',
    });
  });

  it('still replays one millisecond before the TTL ends', async () => {
    // Arrange
    const { clock, store } = setup();
    await store.claim(SCOPE, claimRequest());
    await store.complete(SCOPE, 'owner-a', ANSWER, TTL_S);
    clock.advance(TTL_S * 1000 - 1);

    // Act
    const result = await store.claim(SCOPE, claimRequest({ owner: 'owner-b' }));

    // Assert
    expect(result.kind).toBe('replay');
  });

  it('counts the TTL of a completed record from completion', async () => {
    // Arrange: the call took 50 s of a 60 s TTL; completion restarts the 60 s.
    const { clock, store } = setup();
    await store.claim(SCOPE, claimRequest({ leaseMs: 120_000 }));
    clock.advance(50_000);
    await store.complete(SCOPE, 'owner-a', ANSWER, TTL_S);
    clock.advance(30_000);

    // Act
    const result = await store.claim(SCOPE, claimRequest({ owner: 'owner-b' }));

    // Assert
    expect(result.kind).toBe('replay');
  });

  it('cannot complete a record that expired while pending', async () => {
    // Arrange
    const { clock, store } = setup();
    await store.claim(SCOPE, claimRequest());
    clock.advance(TTL_S * 1000);

    // Act
    const stored = await store.complete(SCOPE, 'owner-a', ANSWER, TTL_S);

    // Assert
    expect(stored).toBe(false);
  });
});

describe('MemoryIdempotencyStore rate limit', () => {
  const limited = (n: number, key: string) =>
    claimRequest({ rateLimit: { limit: n, windowMs: 60_000 }, owner: key, fingerprint: key });

  it('reports the limit, what remains and when the window resets', async () => {
    // Arrange
    const { clock, store } = setup();
    await store.claim({ ...SCOPE, key: 'k1' }, limited(3, 'k1'));
    clock.advance(10_000);

    // Act
    const result = await store.claim({ ...SCOPE, key: 'k2' }, limited(3, 'k2'));

    // Assert
    expect(result.rate).toEqual({ limit: 3, remaining: 1, resetMs: 50_000 });
  });

  it('refuses the request past the limit within the window', async () => {
    // Arrange
    const { store } = setup();
    await store.claim({ ...SCOPE, key: 'k1' }, limited(2, 'k1'));
    await store.claim({ ...SCOPE, key: 'k2' }, limited(2, 'k2'));

    // Act
    const result = await store.claim({ ...SCOPE, key: 'k3' }, limited(2, 'k3'));

    // Assert
    expect(result).toEqual({
      kind: 'rate-limited',
      rate: { limit: 2, remaining: 0, resetMs: 60_000 },
    });
  });

  it('does not claim the key of a refused request', async () => {
    // Arrange
    const { clock, store } = setup();
    await store.claim({ ...SCOPE, key: 'k1' }, limited(1, 'k1'));
    await store.claim({ ...SCOPE, key: 'k2' }, limited(1, 'k2'));
    clock.advance(60_000);

    // Act
    const result = await store.claim(
      { ...SCOPE, key: 'k2' },
      { ...limited(1, 'k2'), correlationId: '261122143105-fffffff' },
    );

    // Assert
    expect(result).toMatchObject({ kind: 'claimed', previous: 'none' });
  });

  it('does not count replays: a retried request gets its answer even at the limit', async () => {
    // Arrange: the one allowed request of the window is used and answered.
    const { store } = setup();
    await store.claim(SCOPE, limited(1, 'same'));
    await store.complete(SCOPE, 'same', ANSWER, TTL_S);

    // Act
    const replays = [
      await store.claim(SCOPE, limited(1, 'same')),
      await store.claim(SCOPE, limited(1, 'same')),
    ];
    const fresh = await store.claim({ ...SCOPE, key: 'other' }, limited(1, 'other'));

    // Assert
    expect(replays.map((r) => r.kind)).toEqual(['replay', 'replay']);
    expect(fresh.kind).toBe('rate-limited');
  });

  it('opens a new window once the old one has passed', async () => {
    // Arrange
    const { clock, store } = setup();
    await store.claim({ ...SCOPE, key: 'k1' }, limited(1, 'k1'));
    await store.claim({ ...SCOPE, key: 'k2' }, limited(1, 'k2'));
    clock.advance(60_000);

    // Act
    const result = await store.claim({ ...SCOPE, key: 'k3' }, limited(1, 'k3'));

    // Assert
    expect(result).toMatchObject({
      kind: 'claimed',
      rate: { limit: 1, remaining: 0, resetMs: 60_000 },
    });
  });

  it('limits each member on their own', async () => {
    // Arrange
    const { store } = setup();
    await store.claim({ ...SCOPE, key: 'k1' }, limited(1, 'k1'));

    // Act
    const other = await store.claim({ memberId: member('1001006'), key: 'k2' }, limited(1, 'k2'));

    // Assert
    expect(other.kind).toBe('claimed');
  });

  it('does not count at all when the limit is 0', async () => {
    // Arrange
    const { store } = setup();
    for (let i = 0; i < 5; i++) await store.claim({ ...SCOPE, key: `k${i}` }, limited(0, `k${i}`));

    // Act
    const result = await store.claim({ ...SCOPE, key: 'k9' }, limited(0, 'k9'));

    // Assert
    expect(result.kind).toBe('claimed');
    expect(result.rate).toBeUndefined();
  });
});
