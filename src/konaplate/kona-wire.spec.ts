import { LosslessNumber, isLosslessNumber } from 'lossless-json';
import { parseMemberId, type MemberId } from '../members/member-id';
import { cardLimitBody } from './operations/card-limit.operation';
import { namedCardBody } from './operations/named-card.operation';
import { decodeEnvelope, readMemberId, serializeBody, wireMemberId } from './kona-wire';

const member = (digits: string): MemberId => parseMemberId(digits)!;

describe('serializeBody', () => {
  it('writes the largest member id, 9999999999999999999, as a bare JSON number with its digits', () => {
    // Arrange: JSON.stringify(9999999999999999999) would write 10000000000000000000.
    const body = { userId: wireMemberId(member('9999999999999999999')), isCheckNamedYn: 'Y' };

    // Act
    const text = serializeBody(body);

    // Assert
    expect(text).toBe('{"userId":9999999999999999999,"isCheckNamedYn":"Y"}');
  });

  it('writes 9007199254740993 (MAX_SAFE_INTEGER + 2) without rounding it to ...992', () => {
    // Arrange
    const body = { userId: wireMemberId(member('9007199254740993')) };

    // Act
    const text = serializeBody(body);

    // Assert
    expect(text).toBe('{"userId":9007199254740993}');
  });

  it('writes the namedcard body KONA documents, with the Y/N flag', () => {
    // Act
    const yes = serializeBody(namedCardBody(member('9999999999999999999'), true));
    const no = serializeBody(namedCardBody(member('1011001'), false));

    // Assert
    expect(yes).toBe('{"userId":9999999999999999999,"isCheckNamedYn":"Y"}');
    expect(no).toBe('{"userId":1011001,"isCheckNamedYn":"N"}');
  });

  it('writes the limit-update body with once/day/month and the exact member id', () => {
    // Arrange
    const par = 'ABCD1234567890123456789WXYZ';
    const limits = { perTransaction: 500000, daily: 0, monthly: 9999999999 };

    // Act
    const text = serializeBody(cardLimitBody(member('9007199254740993'), par, limits));

    // Assert
    expect(text).toBe(
      '{"userId":9007199254740993,"par":"ABCD1234567890123456789WXYZ",' +
        '"limits":{"once":500000,"day":0,"month":9999999999}}',
    );
  });

  it('keeps non-ASCII strings as characters (JSON, not escapes)', () => {
    // Act
    const text = serializeBody({ memo: '실명 등록' });

    // Assert
    expect(text).toBe('{"memo":"실명 등록"}');
  });
});

describe('decodeEnvelope', () => {
  it('reads code and description', () => {
    // Act
    const envelope = decodeEnvelope('{"code":"000_000","description":"Success"}');

    // Assert
    expect(envelope?.code).toBe('000_000');
    expect(envelope?.description).toBe('Success');
  });

  it('reads resultCode for code and message for description', () => {
    // Act
    const envelope = decodeEnvelope('{"resultCode":"001_006","message":"wallet user not found"}');

    // Assert
    expect(envelope?.code).toBe('001_006');
    expect(envelope?.description).toBe('wallet user not found');
  });

  it('reads resultMessage for description', () => {
    // Act
    const envelope = decodeEnvelope('{"resultCode":"003_024","resultMessage":"no linked account"}');

    // Assert
    expect(envelope?.description).toBe('no linked account');
  });

  it('prefers code over resultCode and description over message when both are present', () => {
    // Act
    const envelope = decodeEnvelope(
      '{"resultCode":"999_999","code":"000_000","message":"m","description":"d"}',
    );

    // Assert
    expect(envelope?.code).toBe('000_000');
    expect(envelope?.description).toBe('d');
  });

  it('has no code and no description when the body carries neither', () => {
    // Act
    const envelope = decodeEnvelope('{"balance":1}');

    // Assert
    expect(envelope).toBeDefined();
    expect(envelope?.code).toBeUndefined();
    expect(envelope?.description).toBeUndefined();
  });

  it('ignores a code that is not a string', () => {
    // Act
    const envelope = decodeEnvelope('{"code":0,"resultCode":"001_006"}');

    // Assert
    expect(envelope?.code).toBe('001_006');
  });

  it('keeps a member id above 2^64 lossless among the business fields', () => {
    // Act
    const envelope = decodeEnvelope(
      '{"code":"000_000","userId":9999999999999999999,"balance":9007199254740993}',
    );

    // Assert
    const { userId, balance } = envelope!.fields;
    expect(isLosslessNumber(userId)).toBe(true);
    expect((userId as LosslessNumber).value).toBe('9999999999999999999');
    expect((balance as LosslessNumber).value).toBe('9007199254740993');
  });

  it.each([
    ['text that is not JSON', 'Internal Server Error'],
    ['an empty body', ''],
    ['truncated JSON', '{"code":"000_000"'],
    ['a JSON array', '[{"code":"000_000"}]'],
    ['JSON null', 'null'],
    ['a JSON string', '"000_000"'],
  ])('returns undefined for %s', (_, text) => {
    // Act
    const envelope = decodeEnvelope(text);

    // Assert
    expect(envelope).toBeUndefined();
  });

  it('returns undefined for a bare JSON number', () => {
    // Act
    const envelope = decodeEnvelope('42');

    // Assert
    expect(envelope).toBeUndefined();
  });
});

describe('readMemberId', () => {
  it('reads a lossless number as its exact digits', () => {
    // Arrange
    const { fields } = decodeEnvelope('{"userId":9999999999999999999}')!;

    // Act
    const id = readMemberId(fields.userId);

    // Assert
    expect(id).toBe('9999999999999999999');
  });

  it('reads a string form as it is', () => {
    // Arrange
    const { fields } = decodeEnvelope('{"userId":"9007199254740993"}')!;

    // Act
    const id = readMemberId(fields.userId);

    // Assert
    expect(id).toBe('9007199254740993');
  });

  it.each([
    ['a plain JS number (its digits may already be lost)', Number('9007199254740993')],
    ['null', null],
    ['a missing field', undefined],
    ['an object', { value: '1' }],
  ])('returns undefined for %s', (_, value) => {
    // Act
    const id = readMemberId(value);

    // Assert
    expect(id).toBeUndefined();
  });

  it('reads a LosslessNumber built in code', () => {
    // Act
    const id = readMemberId(new LosslessNumber('1001006'));

    // Assert
    expect(id).toBe('1001006');
  });
});
