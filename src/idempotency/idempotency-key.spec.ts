import { DomainError } from '../common/errors/domain.error';
import { ErrorCode } from '../common/errors/error-code';
import { parseIdempotencyKey } from './idempotency-key';

/** The code of the error parsing `header` throws (fails the test when it parses). */
function rejectionOf(header: string | string[] | undefined): ErrorCode {
  try {
    parseIdempotencyKey(header);
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(header)} to be refused`);
}

describe('parseIdempotencyKey', () => {
  it('returns a bare key as it is', () => {
    // Act
    const key = parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324');

    // Assert
    expect(key).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
  });

  it('reads the quoted structured-field form "abc" as the same key as abc', () => {
    // Act
    const quoted = parseIdempotencyKey('"abc"');
    const bare = parseIdempotencyKey('abc');

    // Assert
    expect(quoted).toBe('abc');
    expect(quoted).toBe(bare);
  });

  it('unescapes \\" and \\\\ inside a quoted key', () => {
    // Act
    const key = parseIdempotencyKey(String.raw`"a\"b\\c"`);

    // Assert
    expect(key).toBe(String.raw`a"b\c`);
  });

  it('accepts every visible ASCII character in a bare key', () => {
    // Arrange: 0x21 '!' to 0x7e '~'.
    const all = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i));

    // Act
    const key = parseIdempotencyKey(all.join(''));

    // Assert
    expect(key).toBe(all.join(''));
  });

  it('accepts 255 characters', () => {
    // Act
    const key = parseIdempotencyKey('k'.repeat(255));

    // Assert
    expect(key).toHaveLength(255);
  });

  it('accepts 255 characters inside quotes (257 on the wire)', () => {
    // Act
    const key = parseIdempotencyKey(`"${'k'.repeat(255)}"`);

    // Assert
    expect(key).toBe('k'.repeat(255));
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
  ])('answers IDEMPOTENCY_KEY_MISSING for %s', (_, header) => {
    // Act
    const code = rejectionOf(header);

    // Assert
    expect(code).toBe(ErrorCode.IdempotencyKeyMissing);
  });

  it.each([
    ['256 characters', 'k'.repeat(256)],
    ['256 characters inside quotes', `"${'k'.repeat(256)}"`],
    ['an empty quoted string', '""'],
    ['a space', 'a b'],
    ['a tab', 'a\tb'],
    ['a control character', 'a\u0001b'],
    ['DEL', 'a\u007fb'],
    ['a non-ASCII letter', 'kéy'],
    ['Korean text', '멱등키'],
    ['an unterminated quote', '"abc'],
    ['an unescaped quote inside quotes', '"a"b"'],
    ['an escape other than \\" or \\\\', String.raw`"a\nb"`],
    ['text after the closing quote', '"abc"d'],
  ])('answers IDEMPOTENCY_KEY_INVALID for %s', (_, header) => {
    // Act
    const code = rejectionOf(header);

    // Assert
    expect(code).toBe(ErrorCode.IdempotencyKeyInvalid);
  });

  it('answers IDEMPOTENCY_KEY_INVALID when the header is sent twice', () => {
    // Act: Node's HTTP parser joins a repeated header into one value with ", " (a space).
    const code = rejectionOf('abc, def');

    // Assert
    expect(code).toBe(ErrorCode.IdempotencyKeyInvalid);
  });
});
