import {
  MAX_JSON_DEPTH,
  forbiddenKey,
  inexactNumber,
  nestingDepth,
  readsExactly,
} from './json-body.parser';

describe('nestingDepth', () => {
  it.each([
    { why: 'a scalar has no depth', text: '42', depth: 0 },
    { why: 'an empty body has no depth', text: '', depth: 0 },
    { why: 'an empty object is one level', text: '{}', depth: 1 },
    { why: 'arrays count like objects', text: '[[[]]]', depth: 3 },
    { why: 'mixed objects and arrays', text: '{"a":[{"b":[1]}]}', depth: 4 },
    { why: 'the deepest branch counts, not the sum', text: '[[1],[[2]],[3]]', depth: 3 },
    { why: 'brackets inside a string do not count', text: '{"a":"[[[{{{"}', depth: 1 },
    { why: 'closing brackets inside a string do not count', text: '[[{"a":"]]]}}}"}]]', depth: 3 },
    {
      why: 'an escaped quote does not end a string',
      text: String.raw`{"a":"\"[[[{{{"}`,
      depth: 1,
    },
    {
      why: 'an escaped backslash before a quote does end the string',
      text: String.raw`{"a":"\\","b":[[1]]}`,
      depth: 3,
    },
    { why: 'a key with brackets does not count', text: '{"[[[":1}', depth: 1 },
  ])('$why ($text → $depth)', ({ text, depth }) => {
    // Act
    const measured = nestingDepth(text);

    // Assert
    expect(measured).toBe(depth);
  });

  it('measures a body nested just past the limit', () => {
    // Arrange
    const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);

    // Act
    const measured = nestingDepth(deep);

    // Assert
    expect(measured).toBe(MAX_JSON_DEPTH + 1);
  });

  it('scans a very deep body without recursing', () => {
    // Arrange: deep enough to overflow a recursive parser's stack.
    const deep = '['.repeat(1_000_000);

    // Act
    const measured = nestingDepth(deep);

    // Assert
    expect(measured).toBe(1_000_000);
  });
});

describe('forbiddenKey', () => {
  it.each([
    ['constructor at the top', '{"a":1,"constructor":1}', 'constructor'],
    ['prototype nested in an object', '{"a":{"b":{"prototype":{}}}}', 'prototype'],
    [
      'an Object method name inside an array',
      '[{"ok":1},{"hasOwnProperty":null}]',
      'hasOwnProperty',
    ],
    ['toString as a key', '{"toString":"x"}', 'toString'],
  ])('finds %s', (_, text, key) => {
    expect(forbiddenKey(JSON.parse(text))).toBe(key);
  });

  it('finds __proto__ when it is an own key', () => {
    const value: unknown = JSON.parse('{"__proto__":{"x":1}}');

    expect(forbiddenKey(value)).toBe('__proto__');
  });

  it.each([
    ['ordinary keys', '{"perTransaction":1,"daily":2,"monthly":3}'],
    ['reserved words as values, not keys', '{"a":"constructor","b":["prototype"]}'],
    ['a scalar', '42'],
    ['null', 'null'],
  ])('accepts %s', (_, text) => {
    expect(forbiddenKey(JSON.parse(text))).toBeUndefined();
  });
});

describe('readsExactly', () => {
  it.each([
    ['a plain integer', '9999999999'],
    ['zero', '0'],
    ['negative zero', '-0'],
    ['an exponent that denotes an integer', '1e3'],
    ['an upper-case, signed exponent', '1.0E+3'],
    ['a point with zeros only', '1000.000'],
    ['1.0', '1.0'],
    ['a fraction a double holds', '0.5'],
    ['a fraction whose shortest form is itself', '0.1'],
    ['a large power of ten a double holds', '1e22'],
    ['the largest safe integer', '9007199254740991'],
  ])('keeps %s (%s)', (_, token) => {
    expect(readsExactly(token)).toBe(true);
  });

  it.each([
    ['an underflow to zero', '1e-400'],
    ['a fraction rounded away', '1.0000000000000001'],
    ['a fraction rounded away near the limit', '9999999999.0000001'],
    ['an overflow to Infinity', '1e400'],
    ['a negative overflow', '-1e400'],
    ['an integer past 2^53 that rounds', '9007199254740993'],
    ['a long integer', '99999999999999999999999999999'],
  ])('refuses %s (%s)', (_, token) => {
    expect(readsExactly(token)).toBe(false);
  });
});

describe('inexactNumber', () => {
  it('names the field of the first number that does not read exactly', () => {
    expect(inexactNumber('{"perTransaction":1,"daily":1e-400,"monthly":1e400}')).toEqual({
      field: 'daily',
      token: '1e-400',
    });
  });

  it('names a nested field by its path, array indexes included', () => {
    expect(inexactNumber('{"a":{"b":[1,2,1.0000000000000001]}}')).toEqual({
      field: 'a.b.2',
      token: '1.0000000000000001',
    });
  });

  it('names a bare number as (body)', () => {
    expect(inexactNumber('1e-400')).toEqual({ field: '(body)', token: '1e-400' });
  });

  it.each([
    ['integers only', '{"perTransaction":300000,"daily":1000000,"monthly":5000000}'],
    ['exact integers written with a point or an exponent', '{"a":1e3,"b":1.0,"c":1000.000}'],
    ['number-like text inside strings', '{"a":"1e-400","b":"1.0000000000000001"}'],
  ])('finds nothing in %s', (_, text) => {
    expect(inexactNumber(text)).toBeUndefined();
  });
});
