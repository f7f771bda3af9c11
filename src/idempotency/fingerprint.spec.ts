import { canonicalJson, requestFingerprint } from './fingerprint';

const LIMITS_PATH = '/v1/me/cards/ABCD1234567890123456789WXYZ/limits';

describe('canonicalJson', () => {
  it.each([
    { why: 'sorts object keys', value: { b: 1, a: 2 }, json: '{"a":2,"b":1}' },
    {
      why: 'sorts keys at every depth, inside arrays too',
      value: { z: [3, { d: null, c: 'x' }], a: { y: true, x: false } },
      json: '{"a":{"x":false,"y":true},"z":[3,{"c":"x","d":null}]}',
    },
    {
      why: 'keeps array order',
      value: [3, 1, 2],
      json: '[3,1,2]',
    },
    {
      why: 'sorts by UTF-16 code unit: digits, then upper case, then lower case',
      value: { a: 1, B: 2, '10': 3, '9': 4 },
      json: '{"10":3,"9":4,"B":2,"a":1}',
    },
    {
      why: 'drops undefined members, as JSON.stringify does',
      value: { a: undefined, b: 2 },
      json: '{"b":2}',
    },
    {
      why: 'writes an undefined array element as null, as JSON.stringify does',
      value: [undefined, 1],
      json: '[null,1]',
    },
    { why: 'writes a top-level undefined as null', value: undefined, json: 'null' },
    {
      why: 'escapes strings as JSON and keeps non-ASCII',
      value: { 키: '값\n"q"' },
      json: '{"키":"값\\n\\"q\\""}',
    },
    { why: 'writes an empty object', value: {}, json: '{}' },
    {
      why: 'writes numbers as JSON',
      value: { n: 1.5, m: -0, big: 1e21 },
      json: '{"big":1e+21,"m":0,"n":1.5}',
    },
  ])('$why', ({ value, json }) => {
    // Act
    const text = canonicalJson(value);

    // Assert
    expect(text).toBe(json);
  });
});

describe('requestFingerprint', () => {
  it('is the SHA-256 of "METHOD path", a newline and the canonical body', () => {
    // Arrange: printf 'PUT <path>\n{"daily":1000000,"monthly":0,"perTransaction":500000}' | sha256sum
    const body = { perTransaction: 500000, daily: 1000000, monthly: 0 };

    // Act
    const fingerprint = requestFingerprint('PUT', LIMITS_PATH, body);

    // Assert
    expect(fingerprint).toBe('00024326d8360deffd781435f407f81a97acdebbf027cae976028fa149cfaa57');
  });

  it('matches the shell vector for the registration request', () => {
    // Arrange: printf 'POST /v1/me/real-name-registration\n{"identityVerified":true}' | sha256sum

    // Act
    const fingerprint = requestFingerprint('POST', '/v1/me/real-name-registration', {
      identityVerified: true,
    });

    // Assert
    expect(fingerprint).toBe('9aa4e75ca30ae2d581d10c6f64cdbd6b2acfe33fac6bc6898292525ccaa433d2');
  });

  it('does not depend on the order of the body keys', () => {
    // Act
    const a = requestFingerprint('PUT', LIMITS_PATH, { perTransaction: 1, daily: 2, monthly: 3 });
    const b = requestFingerprint('PUT', LIMITS_PATH, { monthly: 3, daily: 2, perTransaction: 1 });

    // Assert
    expect(a).toBe(b);
  });

  it('does not depend on the case of the method', () => {
    // Act
    const lower = requestFingerprint('put', LIMITS_PATH, { daily: 1 });
    const upper = requestFingerprint('PUT', LIMITS_PATH, { daily: 1 });

    // Assert
    expect(lower).toBe(upper);
  });

  it('changes with the body', () => {
    // Act
    const a = requestFingerprint('PUT', LIMITS_PATH, { perTransaction: 1, daily: 2, monthly: 3 });
    const b = requestFingerprint('PUT', LIMITS_PATH, { perTransaction: 1, daily: 2, monthly: 4 });

    // Assert
    expect(a).not.toBe(b);
  });

  it('tells a number from the same digits as a string', () => {
    // Act
    const a = requestFingerprint('PUT', LIMITS_PATH, { daily: 100 });
    const b = requestFingerprint('PUT', LIMITS_PATH, { daily: '100' });

    // Assert
    expect(a).not.toBe(b);
  });

  it('changes with the method', () => {
    // Act
    const put = requestFingerprint('PUT', LIMITS_PATH, { daily: 1 });
    const post = requestFingerprint('POST', LIMITS_PATH, { daily: 1 });

    // Assert
    expect(put).not.toBe(post);
  });

  it('changes with a path value (another card)', () => {
    // Act
    const a = requestFingerprint('PUT', '/v1/me/cards/AAAA1234567890123456789WXYZ/limits', {});
    const b = requestFingerprint('PUT', '/v1/me/cards/BBBB1234567890123456789WXYZ/limits', {});

    // Assert
    expect(a).not.toBe(b);
  });
});
