import { maskLogObject, maskPar, maskText, maskUrl } from './mask';

const PAR = 'ABCD1234567890123456789WXYZ'; // 27 characters, as KONA's PARs

describe('maskPar', () => {
  it('keeps only the first 4 and the last 4 characters of a PAR', () => {
    // Act
    const masked = maskPar(PAR);

    // Assert
    expect(masked).toBe('ABCD…WXYZ');
    expect(masked).not.toContain('1234567890123456789');
  });
});

describe('maskUrl', () => {
  it('masks the PAR in a card path and keeps the rest', () => {
    // Act
    const masked = maskUrl(`/v1/me/cards/${PAR}/limits`);

    // Assert
    expect(masked).toBe('/v1/me/cards/ABCD…WXYZ/limits');
  });

  it('masks the PAR and drops the query string, which may carry anything', () => {
    // Act
    const masked = maskUrl(`/v1/me/cards/${PAR}/limits?access_token=secret`);

    // Assert
    expect(masked).toBe('/v1/me/cards/ABCD…WXYZ/limits');
  });

  it('masks a PAR at the end of the path', () => {
    // Act
    const masked = maskUrl(`/v1/me/cards/${PAR}`);

    // Assert
    expect(masked).toBe('/v1/me/cards/ABCD…WXYZ');
  });

  it('leaves the path of a URL without a card path unchanged, without its query', () => {
    // Act
    const masked = maskUrl('/v1/me/real-name-registration?x=ABCD1234567890123456789WXYZ');

    // Assert
    expect(masked).toBe('/v1/me/real-name-registration');
  });
});

describe('maskUrl, whatever the spelling', () => {
  it.each([
    ['upper case', `/V1/ME/CARDS/${PAR}/LIMITS`],
    ['mixed case', `/v1/me/Cards/${PAR}/status`],
    ['a lower-case PAR', `/v1/me/cards/${PAR.toLowerCase()}/limits`],
    [
      'a percent-encoded PAR',
      `/v1/me/cards/${[...PAR].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}/limits`,
    ],
    ['a double-encoded PAR', `/v1/me/cards/%2541${PAR.slice(1)}/limits`],
    ['a PAR outside any card path', `/v1/${PAR}`],
    ['a PAR after a broken escape', `/v1/%zz${PAR}`],
  ])('leaves no full PAR with %s', (_, url) => {
    // Act
    const masked = maskUrl(url);

    // Assert
    expect(masked.toUpperCase()).not.toContain(PAR.slice(4, -4));
  });
});

describe('maskText', () => {
  it('masks PAR-like runs, redacts tokens and long keys, and keeps words, hex ids and UUIDs', () => {
    // Arrange
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl';
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const uuid = '4ff61aea-745b-4c23-889c-3cf3ab5664bf';

    // Act
    const masked = maskText(
      `card ${PAR} token ${jwt} auth Bearer abc.def key KMV1:xyz ` +
        `secret ${'k1'.repeat(20)} UnreadableAnswerErrorClass ${traceId} ${uuid}`,
    );

    // Assert
    expect(masked).toBe(
      `card ABCD…WXYZ token [redacted] auth Bearer [redacted] key KMV1:[redacted] ` +
        `secret [redacted] UnreadableAnswerErrorClass ${traceId} ${uuid}`,
    );
    expect(maskText(masked)).toBe(masked);
  });

  it('masks every string of a log object, nested and in errors', () => {
    // Act
    const masked = maskLogObject({
      url: `/x/${PAR}`,
      nested: { list: [PAR] },
      err: new Error(`bad card ${PAR}`),
      count: 3,
    }) as { url: string; nested: { list: string[] }; err: { message: string }; count: number };

    // Assert
    expect(JSON.stringify(masked)).not.toContain(PAR);
    expect(masked.err.message).toBe('bad card ABCD…WXYZ');
    expect(masked.count).toBe(3);
  });
});
