import type { DomainError } from '../common/errors/domain.error';
import { ErrorCode } from '../common/errors/error-code';
import { UNAVAILABLE_RETRY_AFTER_S, interpretAnswer, transportError } from './kona-result';
import { TransportFailure } from './kona-transport';
import { CARD_LIMIT_UPDATE } from './operations/card-limit.operation';
import { NAMED_CARD } from './operations/named-card.operation';

const CID = '261122143005-0a1b2c3';

/** The error of a failed interpretation (fails the test when the answer was a success). */
function errorOf(result: ReturnType<typeof interpretAnswer>): DomainError {
  if (result.ok) throw new Error(`expected a failure, got success (${result.outcome})`);
  return result.error;
}

describe('interpretAnswer', () => {
  it('is a success for HTTP 200 with code 000_000, keeping the business fields', () => {
    // Act
    const result = interpretAnswer(
      NAMED_CARD,
      { status: 200, text: '{"code":"000_000","description":"Success","isNamed":"Y"}' },
      CID,
    );

    // Assert
    expect(result).toEqual({
      ok: true,
      outcome: 'success',
      fields: { code: '000_000', description: 'Success', isNamed: 'Y' },
    });
  });

  it('is a success for HTTP 200 without any code', () => {
    // Act
    const result = interpretAnswer(CARD_LIMIT_UPDATE, { status: 200, text: '{}' }, CID);

    // Assert
    expect(result.ok).toBe(true);
    expect(result.outcome).toBe('success');
  });

  it('maps 003_024 to ACCOUNT_NOT_LINKED on the limit update', () => {
    // Act
    const result = interpretAnswer(
      CARD_LIMIT_UPDATE,
      { status: 400, text: '{"code":"003_024","description":"no linked account"}' },
      CID,
    );

    // Assert
    const error = errorOf(result);
    expect(error.code).toBe(ErrorCode.AccountNotLinked);
    expect(error.details).toMatchObject({ correlationId: CID, upstreamCode: '003_024' });
    expect(error.details.outcomeUnknown).toBeUndefined();
    expect(result.outcome).toBe('003_024');
  });

  it('maps the same 003_024 to UPSTREAM_ERROR on namedcard, where it means something else', () => {
    // Act
    const result = interpretAnswer(
      NAMED_CARD,
      { status: 400, text: '{"code":"003_024","description":"no linked account"}' },
      CID,
    );

    // Assert
    const error = errorOf(result);
    expect(error.code).toBe(ErrorCode.UpstreamError);
    expect(error.details.upstreamCode).toBe('003_024');
    expect(error.details.outcomeUnknown).toBeUndefined();
  });

  it('maps 011_001 to IDENTITY_VERIFICATION_REQUIRED on namedcard', () => {
    // Act
    const result = interpretAnswer(
      NAMED_CARD,
      { status: 400, text: '{"resultCode":"011_001","resultMessage":"identity not verified"}' },
      CID,
    );

    // Assert
    const error = errorOf(result);
    expect(error.code).toBe(ErrorCode.IdentityVerificationRequired);
    expect(error.details).toMatchObject({ correlationId: CID, upstreamCode: '011_001' });
  });

  it('maps 011_001 to UPSTREAM_ERROR on the limit update, which does not define it', () => {
    // Act
    const result = interpretAnswer(
      CARD_LIMIT_UPDATE,
      { status: 400, text: '{"code":"011_001"}' },
      CID,
    );

    // Assert
    expect(errorOf(result).code).toBe(ErrorCode.UpstreamError);
  });

  it.each([
    { op: NAMED_CARD, code: '001_006', expected: ErrorCode.WalletUserNotFound },
    { op: CARD_LIMIT_UPDATE, code: '001_006', expected: ErrorCode.WalletUserNotFound },
    { op: CARD_LIMIT_UPDATE, code: '000_002', expected: ErrorCode.InvalidInput },
  ])('maps $code to $expected on $op.name', ({ op, code, expected }) => {
    // Act
    const result = interpretAnswer(op, { status: 400, text: `{"code":"${code}"}` }, CID);

    // Assert
    expect(errorOf(result).code).toBe(expected);
  });

  it('maps 000_002 to UPSTREAM_ERROR on namedcard, whose table has no such code', () => {
    // Act
    const result = interpretAnswer(NAMED_CARD, { status: 400, text: '{"code":"000_002"}' }, CID);

    // Assert
    expect(errorOf(result).code).toBe(ErrorCode.UpstreamError);
  });

  it('turns an unknown code into UPSTREAM_ERROR with the code and KONA message, outcome known', () => {
    // Act
    const result = interpretAnswer(
      NAMED_CARD,
      { status: 400, text: '{"code":"999_999","message":"카드 상태 오류"}' },
      CID,
    );

    // Assert
    const error = errorOf(result);
    expect(error.code).toBe(ErrorCode.UpstreamError);
    expect(error.details.upstreamCode).toBe('999_999');
    expect(error.details.detail).toBe('카드 상태 오류');
    expect(error.details.correlationId).toBe(CID);
    expect(error.details.outcomeUnknown).toBeUndefined();
    expect(result.outcome).toBe('999_999');
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'treats the code "%s" as unknown, not as Object machinery, and labels it unknown_code',
    (code) => {
      // Act
      const result = interpretAnswer(
        CARD_LIMIT_UPDATE,
        { status: 400, text: JSON.stringify({ code, description: 'odd' }) },
        CID,
      );

      // Assert
      expect(errorOf(result).code).toBe(ErrorCode.UpstreamError);
      expect(result.outcome).toBe('unknown_code');
    },
  );

  it('caps KONA message in the detail at 500 characters', () => {
    // Act
    const result = interpretAnswer(
      NAMED_CARD,
      { status: 400, text: JSON.stringify({ code: '999_999', description: 'x'.repeat(5000) }) },
      CID,
    );

    // Assert
    expect(errorOf(result).details.detail).toHaveLength(500);
  });

  it('names the unknown code in the detail when KONA sent no message', () => {
    // Act
    const result = interpretAnswer(NAMED_CARD, { status: 400, text: '{"code":"999_999"}' }, CID);

    // Assert
    expect(errorOf(result).details.detail).toContain('999_999');
  });

  it('treats a business code on a 2xx as that business error, not as success', () => {
    // Act
    const result = interpretAnswer(
      CARD_LIMIT_UPDATE,
      { status: 200, text: '{"code":"001_006"}' },
      CID,
    );

    // Assert
    expect(errorOf(result).code).toBe(ErrorCode.WalletUserNotFound);
  });

  it.each([500, 502, 503, 504])(
    'leaves the outcome unknown on HTTP %i, even with a code',
    (status) => {
      // Act
      const result = interpretAnswer(
        CARD_LIMIT_UPDATE,
        { status, text: '{"code":"003_024","description":"no linked account"}' },
        CID,
      );

      // Assert
      const error = errorOf(result);
      expect(error.code).toBe(ErrorCode.UpstreamError);
      expect(error.details.outcomeUnknown).toBe(true);
      expect(error.details.correlationId).toBe(CID);
      expect(result.outcome).toBe(`http_${status}`);
    },
  );

  it.each([
    ['a 200 with HTML', 200, '<html>bad gateway</html>'],
    ['a 200 with truncated JSON', 200, '{"code":"000_0'],
    ['a 400 with an empty body', 400, ''],
    ['a 200 with a JSON array', 200, '[]'],
  ])('leaves the outcome unknown for %s', (_, status, text) => {
    // Act
    const result = interpretAnswer(NAMED_CARD, { status, text }, CID);

    // Assert
    const error = errorOf(result);
    expect(error.code).toBe(ErrorCode.UpstreamError);
    expect(error.details.outcomeUnknown).toBe(true);
    expect(error.details.correlationId).toBe(CID);
    expect(result.outcome).toBe('malformed');
  });

  it('leaves the outcome unknown for a 503 whose body is not JSON, naming the status', () => {
    // Act
    const result = interpretAnswer(NAMED_CARD, { status: 503, text: 'Service Unavailable' }, CID);

    // Assert
    const error = errorOf(result);
    expect(error.code).toBe(ErrorCode.UpstreamError);
    expect(error.details.outcomeUnknown).toBe(true);
    expect(error.details.detail).toContain('HTTP 503');
  });

  it('labels a 5xx with a body that is not JSON by its status, for the metrics', () => {
    // Act
    const result = interpretAnswer(NAMED_CARD, { status: 503, text: 'Service Unavailable' }, CID);

    // Assert
    expect(result.outcome).toBe('http_503');
  });

  it('leaves the outcome unknown for a 4xx that carries no code', () => {
    // Act
    const result = interpretAnswer(NAMED_CARD, { status: 400, text: '{"error":"bad"}' }, CID);

    // Assert
    const error = errorOf(result);
    expect(error.details.outcomeUnknown).toBe(true);
    expect(result.outcome).toBe('http_400');
  });

  it('leaves the outcome unknown for a 200 whose body is a bare number', () => {
    // Act
    const result = interpretAnswer(NAMED_CARD, { status: 200, text: '42' }, CID);

    // Assert
    expect(result.ok).toBe(false);
    expect(result.outcome).toBe('malformed');
  });
});

describe('transportError', () => {
  it('answers a refused connection with UPSTREAM_UNAVAILABLE and a Retry-After', () => {
    // Act
    const error = transportError(new TransportFailure('refused', false, 'ECONNREFUSED'), CID);

    // Assert
    expect(error.code).toBe(ErrorCode.UpstreamUnavailable);
    expect(error.details.retryAfter).toBe(UNAVAILABLE_RETRY_AFTER_S);
    expect(error.details.retryAfter).toBeGreaterThanOrEqual(1);
    expect(error.details.correlationId).toBe(CID);
    // Nothing was sent, so KONA cannot have acted: the outcome is known (nothing happened).
    expect(error.details.outcomeUnknown).toBeUndefined();
  });

  it('answers a timeout with UPSTREAM_TIMEOUT and an unknown outcome', () => {
    // Act
    const error = transportError(new TransportFailure('timeout', true, 'ETIMEDOUT'), CID);

    // Assert
    expect(error.code).toBe(ErrorCode.UpstreamTimeout);
    expect(error.details.outcomeUnknown).toBe(true);
    expect(error.details.correlationId).toBe(CID);
  });

  it.each([
    { kind: 'reset', what: 'a connection reset' },
    { kind: 'other', what: 'any other transport failure' },
  ] as const)('answers $what with UPSTREAM_ERROR and an unknown outcome', ({ kind }) => {
    // Act
    const error = transportError(new TransportFailure(kind, true, 'ECONNRESET'), CID);

    // Assert
    expect(error.code).toBe(ErrorCode.UpstreamError);
    expect(error.details.outcomeUnknown).toBe(true);
    expect(error.details.correlationId).toBe(CID);
    expect(error.details.upstreamCode).toBeUndefined();
  });
});
