import { DomainError } from '../errors/domain.error';
import { ERROR_SPECS, ErrorCode } from '../errors/error-code';
import { PROBLEM_CONTENT_TYPE, problemHeaders, problemType, toProblem } from './problem';

describe('toProblem', () => {
  it('gives the RFC 9457 members and the gateway extensions of a KONA business error', () => {
    // Arrange
    const error = new DomainError(ErrorCode.WalletUserNotFound, {
      correlationId: '261122143005-0a1b2c3',
      upstreamCode: '001_006',
      detail: 'No wallet for this member.',
    });

    // Act
    const problem = toProblem(error);

    // Assert
    expect(problem).toEqual({
      type: 'https://kona-bff.dev/problems/wallet-user-not-found',
      title: 'Wallet user not found',
      status: 404,
      detail: 'No wallet for this member.',
      code: 'WALLET_USER_NOT_FOUND',
      correlationId: '261122143005-0a1b2c3',
      upstreamCode: '001_006',
    });
  });

  it('uses the title as the detail when none is given, and leaves out unknown members', () => {
    // Act
    const problem = toProblem(new DomainError(ErrorCode.PayloadTooLarge));

    // Assert
    expect(problem).toEqual({
      type: 'https://kona-bff.dev/problems/payload-too-large',
      title: 'The body is too large',
      status: 413,
      detail: 'The body is too large',
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(Object.keys(problem)).not.toContain('correlationId');
    expect(Object.keys(problem)).not.toContain('upstreamCode');
  });

  it('lists field errors for a validation failure', () => {
    // Arrange
    const errors = [{ field: 'daily', message: 'must be an integer' }];

    // Act
    const problem = toProblem(new DomainError(ErrorCode.ValidationFailed, { errors }));

    // Assert
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual(errors);
  });

  it('never shows internal flags, headers or Retry-After in the body', () => {
    // Arrange
    const error = new DomainError(ErrorCode.UpstreamTimeout, {
      outcomeUnknown: true,
      retryAfter: 2,
      headers: { 'ratelimit-limit': '20' },
    });

    // Act
    const body = JSON.stringify(toProblem(error));

    // Assert
    expect(body).not.toContain('outcomeUnknown');
    expect(body).not.toContain('retryAfter');
    expect(body).not.toContain('ratelimit');
  });

  it('carries the request id when given one, and none otherwise', () => {
    // Act
    const withId = toProblem(new DomainError(ErrorCode.NotFound), 'req-abc');
    const withoutId = toProblem(new DomainError(ErrorCode.NotFound));

    // Assert
    expect(withId.requestId).toBe('req-abc');
    expect(withoutId).not.toHaveProperty('requestId');
  });

  /** The HTTP contract, written out here so that a change to ERROR_SPECS has to change it too. */
  const EXPECTED_STATUS: Record<ErrorCode, number> = {
    [ErrorCode.Unauthenticated]: 401,
    [ErrorCode.BadRequest]: 400,
    [ErrorCode.RequestTimeout]: 408,
    [ErrorCode.HeadersTooLarge]: 431,
    [ErrorCode.ValidationFailed]: 400,
    [ErrorCode.MalformedBody]: 400,
    [ErrorCode.PayloadTooLarge]: 413,
    [ErrorCode.UnsupportedMediaType]: 415,
    [ErrorCode.IdempotencyKeyMissing]: 400,
    [ErrorCode.IdempotencyKeyInvalid]: 400,
    [ErrorCode.IdempotencyKeyReused]: 422,
    [ErrorCode.IdempotencyKeyInUse]: 409,
    [ErrorCode.RateLimited]: 429,
    [ErrorCode.WalletUserNotFound]: 404,
    [ErrorCode.IdentityVerificationRequired]: 422,
    [ErrorCode.AccountNotLinked]: 422,
    [ErrorCode.CardInvalid]: 422,
    [ErrorCode.CardNotFound]: 404,
    [ErrorCode.CardTerminated]: 409,
    [ErrorCode.InvalidInput]: 400,
    [ErrorCode.UpstreamError]: 502,
    [ErrorCode.UpstreamTimeout]: 504,
    [ErrorCode.UpstreamUnavailable]: 503,
    [ErrorCode.StoreUnavailable]: 503,
    [ErrorCode.EncryptionNotConfigured]: 503,
    [ErrorCode.NotFound]: 404,
    [ErrorCode.MethodNotAllowed]: 405,
    [ErrorCode.Internal]: 500,
  };

  it.each(Object.values(ErrorCode))('has the contract status and a title for %s', (code) => {
    // Act
    const problem = toProblem(new DomainError(code));

    // Assert
    expect(problem.status).toBe(EXPECTED_STATUS[code]);
    expect(problem.title).toBe(ERROR_SPECS[code].title);
    expect(problem.type).toBe(problemType(code));
    expect(problem.type).toMatch(/^https:\/\/kona-bff\.dev\/problems\/[a-z-]+$/);
  });

  it('uses the problem+json media type', () => {
    // Assert
    expect(PROBLEM_CONTENT_TYPE).toBe('application/problem+json');
  });
});

describe('problemHeaders', () => {
  it('sets Retry-After in seconds and X-Correlation-Id', () => {
    // Arrange
    const error = new DomainError(ErrorCode.UpstreamUnavailable, {
      retryAfter: 2,
      correlationId: '261122143005-0a1b2c3',
    });

    // Act
    const headers = problemHeaders(error);

    // Assert
    expect(headers).toEqual({ 'retry-after': '2', 'x-correlation-id': '261122143005-0a1b2c3' });
  });

  it('keeps headers the thrower set, such as the RateLimit fields', () => {
    // Arrange
    const error = new DomainError(ErrorCode.RateLimited, {
      retryAfter: 45,
      headers: { 'ratelimit-limit': '20', 'ratelimit-remaining': '0', 'ratelimit-reset': '45' },
    });

    // Act
    const headers = problemHeaders(error);

    // Assert
    expect(headers).toEqual({
      'ratelimit-limit': '20',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '45',
      'retry-after': '45',
    });
  });

  it('sets nothing when the error has no retry time or correlation id', () => {
    // Act
    const headers = problemHeaders(new DomainError(ErrorCode.ValidationFailed));

    // Assert
    expect(headers).toEqual({});
  });

  it('does not let the error share its headers object with the answer', () => {
    // Arrange
    const own = { 'ratelimit-limit': '20' };
    const error = new DomainError(ErrorCode.RateLimited, { retryAfter: 1, headers: own });

    // Act
    problemHeaders(error)['x-extra'] = 'y';

    // Assert
    expect(own).toEqual({ 'ratelimit-limit': '20' });
  });
});
