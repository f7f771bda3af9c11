import { parseMemberId } from './member-id';

describe('parseMemberId', () => {
  it.each([
    ['the smallest id', '1'],
    ['a sandbox test member', '1001006'],
    ['MAX_SAFE_INTEGER + 2, which a JS number cannot hold', '9007199254740993'],
    ['a 19-digit id above signed 64-bit (2^63 = 9223372036854775808)', '9223372036854775808'],
    ['the largest id, nineteen nines', '9999999999999999999'],
  ])('accepts %s as a string of digits', (_, digits) => {
    // Act
    const id = parseMemberId(digits);

    // Assert
    expect(id).toBe(digits);
  });

  it('accepts every 19-digit string, since none exceeds nineteen nines', () => {
    // Arrange: the largest 19-digit string is the largest member id, so the length rule suffices.
    const smallest19 = '1000000000000000000';

    // Act
    const id = parseMemberId(smallest19);

    // Assert
    expect(id).toBe(smallest19);
  });

  it.each([
    ['zero', '0'],
    ['a leading zero', '01001006'],
    ['twenty digits', '10000000000000000000'],
    ['a negative id', '-1'],
    ['a plus sign', '+1'],
    ['a decimal point', '1.0'],
    ['an exponent', '1e3'],
    ['surrounding spaces', ' 1001006 '],
    ['a trailing newline', '1001006\n'],
    ['full-width digits', '１２３'],
    ['an empty string', ''],
    ['letters', 'abc'],
  ])('rejects %s', (_, value) => {
    // Act
    const id = parseMemberId(value);

    // Assert
    expect(id).toBeUndefined();
  });

  it('accepts a safe positive integer given as a JSON number', () => {
    // Act
    const id = parseMemberId(1001006);

    // Assert
    expect(id).toBe('1001006');
  });

  it('accepts Number.MAX_SAFE_INTEGER as a number', () => {
    // Act
    const id = parseMemberId(Number.MAX_SAFE_INTEGER);

    // Assert
    expect(id).toBe('9007199254740991');
  });

  it.each([
    // What JSON.parse makes of the claim 9007199254740993: 9007199254740992, digits already lost.
    ['an unsafe integer such as 9007199254740993', Number('9007199254740993')],
    ['2^53, the first unsafe integer', 2 ** 53],
    ['nineteen nines as a number', Number('9999999999999999999')],
    ['zero', 0],
    ['a negative number', -5],
    ['a float', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('rejects %s given as a number', (_, value) => {
    // Act
    const id = parseMemberId(value);

    // Assert
    expect(id).toBeUndefined();
  });

  it.each([
    ['a bigint', BigInt(1001006)],
    ['null', null],
    ['undefined', undefined],
    ['an array of digits', ['1001006']],
    ['an object', { sub: '1001006' }],
    ['a boolean', true],
  ])('rejects %s', (_, value) => {
    // Act
    const id = parseMemberId(value);

    // Assert
    expect(id).toBeUndefined();
  });
});
