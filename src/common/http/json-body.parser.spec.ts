import { MAX_JSON_DEPTH, forbiddenKey, nestingDepth } from './json-body.parser';

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
