/** Every error the mobile API can answer with; the table below is the one place they meet HTTP. */
export enum ErrorCode {
  Unauthenticated = 'UNAUTHENTICATED',
  BadRequest = 'BAD_REQUEST',
  RequestTimeout = 'REQUEST_TIMEOUT',
  HeadersTooLarge = 'HEADERS_TOO_LARGE',
  ValidationFailed = 'VALIDATION_FAILED',
  MalformedBody = 'MALFORMED_BODY',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  IdempotencyKeyMissing = 'IDEMPOTENCY_KEY_MISSING',
  IdempotencyKeyInvalid = 'IDEMPOTENCY_KEY_INVALID',
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  IdempotencyKeyInUse = 'IDEMPOTENCY_KEY_IN_USE',
  RateLimited = 'RATE_LIMITED',
  WalletUserNotFound = 'WALLET_USER_NOT_FOUND',
  IdentityVerificationRequired = 'IDENTITY_VERIFICATION_REQUIRED',
  AccountNotLinked = 'ACCOUNT_NOT_LINKED',
  CardInvalid = 'CARD_INVALID',
  CardNotFound = 'CARD_NOT_FOUND',
  CardTerminated = 'CARD_TERMINATED',
  InvalidInput = 'INVALID_INPUT',
  UpstreamError = 'UPSTREAM_ERROR',
  UpstreamTimeout = 'UPSTREAM_TIMEOUT',
  UpstreamUnavailable = 'UPSTREAM_UNAVAILABLE',
  StoreUnavailable = 'STORE_UNAVAILABLE',
  EncryptionNotConfigured = 'ENCRYPTION_NOT_CONFIGURED',
  NotFound = 'NOT_FOUND',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  Internal = 'INTERNAL',
}

export interface ErrorSpec {
  status: number;
  title: string;
}

export const ERROR_SPECS: Record<ErrorCode, ErrorSpec> = {
  [ErrorCode.Unauthenticated]: { status: 401, title: 'Authentication required' },
  [ErrorCode.BadRequest]: { status: 400, title: 'The HTTP request is malformed' },
  [ErrorCode.RequestTimeout]: { status: 408, title: 'The request did not arrive in time' },
  [ErrorCode.HeadersTooLarge]: { status: 431, title: 'The request headers are too large' },
  [ErrorCode.ValidationFailed]: { status: 400, title: 'The request is not valid' },
  [ErrorCode.MalformedBody]: { status: 400, title: 'The body is not valid JSON' },
  [ErrorCode.PayloadTooLarge]: { status: 413, title: 'The body is too large' },
  [ErrorCode.UnsupportedMediaType]: { status: 415, title: 'The body must be application/json' },
  [ErrorCode.IdempotencyKeyMissing]: { status: 400, title: 'Idempotency-Key header is required' },
  [ErrorCode.IdempotencyKeyInvalid]: { status: 400, title: 'Idempotency-Key header is malformed' },
  [ErrorCode.IdempotencyKeyReused]: {
    status: 422,
    title: 'Idempotency-Key was already used for another request',
  },
  [ErrorCode.IdempotencyKeyInUse]: {
    status: 409,
    title: 'A request with this Idempotency-Key is in progress',
  },
  [ErrorCode.RateLimited]: { status: 429, title: 'Too many requests' },
  [ErrorCode.WalletUserNotFound]: { status: 404, title: 'Wallet user not found' },
  [ErrorCode.IdentityVerificationRequired]: {
    status: 422,
    title: 'Identity verification is required',
  },
  [ErrorCode.AccountNotLinked]: { status: 422, title: 'No bank account is linked' },
  [ErrorCode.CardInvalid]: { status: 422, title: 'KONA PLATE found the card information invalid' },
  [ErrorCode.CardNotFound]: { status: 404, title: 'Card not found' },
  [ErrorCode.CardTerminated]: {
    status: 409,
    title: 'The card is terminated; its state cannot change',
  },
  [ErrorCode.InvalidInput]: { status: 400, title: 'KONA PLATE rejected the input' },
  [ErrorCode.UpstreamError]: { status: 502, title: 'KONA PLATE answered with an error' },
  [ErrorCode.UpstreamTimeout]: { status: 504, title: 'KONA PLATE did not answer in time' },
  [ErrorCode.UpstreamUnavailable]: { status: 503, title: 'KONA PLATE is unavailable' },
  [ErrorCode.StoreUnavailable]: { status: 503, title: 'The idempotency store is unavailable' },
  [ErrorCode.EncryptionNotConfigured]: {
    status: 503,
    title: 'Message encryption with KONA PLATE is not configured',
  },
  [ErrorCode.NotFound]: { status: 404, title: 'Not found' },
  [ErrorCode.MethodNotAllowed]: { status: 405, title: 'Method not allowed' },
  [ErrorCode.Internal]: { status: 500, title: 'Internal error' },
};
