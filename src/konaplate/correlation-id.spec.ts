import { CORRELATION_ID_PATTERN, newCorrelationId } from './correlation-id';

describe('newCorrelationId', () => {
  // 2026-11-22 05:30:05.123 UTC is 2026-11-22 14:30:05.123 in Seoul (UTC+9), worked out by hand.
  const instant = new Date('2026-11-22T05:30:05.123Z');

  it('is yyMMddHHmmss, a dash and 7 lower-case hex characters: 20 in all', () => {
    // Act
    const id = newCorrelationId(instant, 'KST');

    // Assert
    expect(id).toMatch(/^\d{12}-[0-9a-f]{7}$/);
    expect(id).toHaveLength(20);
    expect(CORRELATION_ID_PATTERN.test(id)).toBe(true);
  });

  it('starts with the KST wall-clock time of the instant, to the second', () => {
    // Act
    const id = newCorrelationId(instant, 'KST');

    // Assert
    expect(id.slice(0, 12)).toBe('261122143005');
  });

  it('starts with the UTC wall-clock time when the zone is UTC', () => {
    // Act
    const id = newCorrelationId(instant, 'UTC');

    // Assert
    expect(id.slice(0, 12)).toBe('261122053005');
  });

  it('takes the next KST day at 15:00 UTC', () => {
    // Act
    const id = newCorrelationId(new Date('2025-12-31T15:00:00.000Z'), 'KST');

    // Assert
    expect(id.slice(0, 12)).toBe('260101000000');
  });

  it('gives a different suffix on every call for the same instant', () => {
    // Arrange: 28 random bits; the chance of any repeat among 100 ids is about 1 in 54,000.
    const count = 100;

    // Act
    const suffixes = Array.from({ length: count }, () =>
      newCorrelationId(instant, 'KST').slice(13),
    );

    // Assert
    expect(new Set(suffixes).size).toBe(count);
  });

  it('draws every hex digit in every suffix position: the suffix is not a counter or a clock', () => {
    // Arrange: with 400 draws a given digit is missing from a position with odds near 1e-11.
    const suffixes = Array.from({ length: 400 }, () => newCorrelationId(instant, 'KST').slice(13));

    // Act
    const digitsPerPosition = [0, 1, 2, 3, 4, 5, 6].map(
      (position) => new Set(suffixes.map((s) => s[position])).size,
    );

    // Assert
    expect(digitsPerPosition).toEqual([16, 16, 16, 16, 16, 16, 16]);
  });
});
