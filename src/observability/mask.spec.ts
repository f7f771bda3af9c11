import { maskPar, maskUrl } from './mask';

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
