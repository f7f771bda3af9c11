import { CORRELATION_ID_PATTERN, formatCorrelationId } from './correlation-id';

describe('formatCorrelationId', () => {
  // 2026-11-22 05:30:05.123 UTC is 2026-11-22 14:30:05.123 in Seoul (UTC+9), worked out by hand.
  const instant = new Date('2026-11-22T05:30:05.123Z');

  it('is yyMMddHHmmss, a dash and 7 lower-case hex characters: 20 in all', () => {
    // Act
    const id = formatCorrelationId(instant, 'KST', 0xabc, 0xdef0);

    // Assert
    expect(id).toHaveLength(20);
    expect(CORRELATION_ID_PATTERN.test(id)).toBe(true);
  });

  it('starts with the KST wall-clock time of the instant, to the second', () => {
    // Act
    const id = formatCorrelationId(instant, 'KST', 1, 2);

    // Assert
    expect(id.slice(0, 12)).toBe('261122143005');
  });

  it('starts with the UTC wall-clock time when the zone is UTC', () => {
    // Act
    const id = formatCorrelationId(instant, 'UTC', 1, 2);

    // Assert
    expect(id.slice(0, 12)).toBe('261122053005');
  });

  it('rolls the date over at midnight in Seoul, not in UTC', () => {
    // 2025-12-31 15:00:00 UTC is 2026-01-01 00:00:00 KST.
    const id = formatCorrelationId(new Date('2025-12-31T15:00:00.000Z'), 'KST', 1, 2);

    // Assert
    expect(id.slice(0, 12)).toBe('260101000000');
  });

  it('spells the slot in the first 3 hex digits and the sequence in the last 4, zero-padded', () => {
    // Slot 10 = 00a, sequence 255 = 00ff; slot 4095 = fff, sequence 65535 = ffff.
    expect(formatCorrelationId(instant, 'KST', 10, 255)).toBe('261122143005-00a00ff');
    expect(formatCorrelationId(instant, 'KST', 4095, 65535)).toBe('261122143005-fffffff');
    expect(formatCorrelationId(instant, 'KST', 0, 0)).toBe('261122143005-0000000');
  });

  it.each([
    [-1, 0],
    [4096, 0],
    [0, 65536],
    [0, 1.5],
  ])('refuses slot %p sequence %p, which would not fit the 7 digits', (slot, sequence) => {
    expect(() => formatCorrelationId(instant, 'KST', slot, sequence)).toThrow(RangeError);
  });
});
