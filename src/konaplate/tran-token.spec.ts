import { tranToken } from './tran-token';

/*
 * Every MAC below was computed outside this code base, in a shell, with:
 *   printf '%s' '<body>' | openssl dgst -sha256 -hmac '<key>' -binary | base64
 * (the shell and the file are UTF-8, so the Korean text is signed as its UTF-8 bytes).
 */
describe('tranToken', () => {
  const key = 'sandbox-secret-key-0123456789';

  it('matches the RFC 4231 HMAC-SHA256 test case 2 ("Jefe")', () => {
    // Arrange: RFC 4231 §4.3 gives the MAC in hex, 5bdcc146...64ec3843; its base64 is below
    // (echo <hex> | xxd -r -p | base64).
    const time17 = '20221108120814608';

    // Act
    const token = tranToken('Jefe', time17, 'what do ya want for nothing?');

    // Assert
    expect(token).toBe('KMV1:20221108120814608:W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=');
  });

  it('signs a namedcard body with a 19-digit member id to the openssl vector', () => {
    // Arrange
    const body = '{"userId":9999999999999999999,"isCheckNamedYn":"Y"}';

    // Act
    const token = tranToken(key, '20261122143005123', body);

    // Assert
    expect(token).toBe('KMV1:20261122143005123:fO52V+/kYVbqBx0vM3Q6BuhNNVhcmuHtpskfJkjU8lU=');
  });

  it('signs the UTF-8 bytes of a Korean body, not UTF-16 code units or Latin-1', () => {
    // Arrange
    const body = '{"userId":1001006,"memo":"실명 등록 카드"}';

    // Act
    const token = tranToken(key, '20260101000000000', body);

    // Assert
    expect(token).toBe('KMV1:20260101000000000:elc3/HHnv7UrSvIK4EyJuN5Usm/9B4ikAsXErTevQXc=');
  });

  it('uses the UTF-8 bytes of a non-ASCII secret key', () => {
    // Arrange
    const koreanKey = '비밀키-0123456789abcdef';

    // Act
    const token = tranToken(koreanKey, '20260101000000000', '{"userId":1}');

    // Assert
    expect(token).toBe('KMV1:20260101000000000:HnHWWukhAhyr1/BI2TeFGw/JN1n1M28cKlzWOLoTPIM=');
  });

  it('signs an empty body too', () => {
    // Act
    const token = tranToken(key, '20260101000000000', '');

    // Assert
    expect(token).toBe('KMV1:20260101000000000:ghW2XNtQnR7WL9fI9rkuAM+GkfqZfbM0QI3Snhqc6Dc=');
  });

  it('is 67 characters for a 32-byte MAC: KMV1, the 17-digit time and padded standard base64', () => {
    // Act
    const token = tranToken(key, '20261122143005123', '{"userId":1}');

    // Assert
    expect(token).toHaveLength(67);
    const [prefix, time, mac, ...rest] = token.split(':');
    expect(prefix).toBe('KMV1');
    expect(time).toMatch(/^\d{17}$/);
    expect(time).toBe('20261122143005123');
    expect(mac).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(mac, 'base64')).toHaveLength(32);
    expect(rest).toEqual([]);
  });

  it('changes when one byte of the body changes', () => {
    // Act
    const a = tranToken(key, '20261122143005123', '{"userId":1}');
    const b = tranToken(key, '20261122143005123', '{"userId":2}');

    // Assert
    expect(a.slice(23)).not.toBe(b.slice(23));
  });
});
