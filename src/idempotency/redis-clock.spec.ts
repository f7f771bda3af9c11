import { RedisClock } from './redis-clock';

/**
 * The README promises that a claim's deadline ends 250 ms, plus the clock estimate's error,
 * before the gateway stops waiting. Times below are chosen by hand: the local clock at 1 000 000,
 * Redis' clock 5 000 ms ahead of it.
 */
describe('RedisClock', () => {
  it('refuses a deadline before it has seen Redis time', () => {
    expect(() => new RedisClock().deadline(1_000_000, 1500)).toThrow(/not sampled/);
  });

  it('puts the deadline 250 ms plus half the sample round trip before the wait ends, on Redis time', () => {
    // Arrange: sent at 1 000 000, answered at 1 000 010 (round trip 10 ms, so ±5 ms), Redis read
    // 1 005 005 at the middle of it: offset +5 000 ms.
    const clock = new RedisClock();
    clock.observe(1_000_000, 1_000_010, 1_005_005);

    // Act: a command sent at 1 000 100 whose caller waits 1 500 ms.
    const deadline = clock.deadline(1_000_100, 1500);

    // Assert: 1 000 100 + 5 000 + (1 500 − 250 − 5) on Redis' clock.
    expect(deadline).toBe(1_006_345);
  });

  it('keeps the tighter sample, so a slow reply does not widen the error', () => {
    const clock = new RedisClock();
    clock.observe(1_000_000, 1_000_010, 1_005_005);
    // A 400 ms round trip seen right after: ignored (its error would be ±200 ms).
    clock.observe(1_000_020, 1_000_420, 1_005_300);
    expect(clock.deadline(1_000_100, 1500)).toBe(1_006_345);
  });

  it('never sets a deadline before the command was sent, however short the wait', () => {
    const clock = new RedisClock();
    clock.observe(1_000_000, 1_000_010, 1_005_005);
    expect(clock.deadline(1_000_100, 100)).toBe(1_005_100);
  });
});
