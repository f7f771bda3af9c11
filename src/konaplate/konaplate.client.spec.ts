import { Logger } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { ErrorCode } from '../common/errors/error-code';
import { parseMemberId, type MemberId } from '../members/member-id';
import { testAppConfig, type AppConfigOverrides } from '../testing/app-config.fixture';
import {
  KonaCallObserver,
  type CircuitStateName,
  type KonaCallRecord,
  type KonaRetryRecord,
} from './kona-call.observer';
import { TransportFailure } from './kona-transport';
import { FakeTransport } from '../testing/fake-kona-transport';
import { KonaplateClient } from './konaplate.client';
import { CARD_LIMIT_UPDATE, cardLimitBody } from './operations/card-limit.operation';
import { NAMED_CARD, namedCardBody } from './operations/named-card.operation';
import { UpstreamBreakers } from './upstream-breakers';
import { failureOf, silenceNestLogger } from '../testing/failure-of';

class RecordingObserver extends KonaCallObserver {
  readonly calls: KonaCallRecord[] = [];
  readonly circuits: [string, CircuitStateName][] = [];
  readonly retries: KonaRetryRecord[] = [];
  record(call: KonaCallRecord): void {
    this.calls.push(call);
  }
  retried(retry: KonaRetryRecord): void {
    this.retries.push(retry);
  }
  circuitState(operation: string, state: CircuitStateName): void {
    this.circuits.push([operation, state]);
  }
}

const SECRET = 'unit-test-secret-key-0123456789';
const CRYPTO_KEY_ID = 'CK0123456789abcdef0123456789abcd';
// 2026-11-22 05:30:05.123 UTC = 2026-11-22 14:30:05.123 KST (UTC+9), worked out by hand.
const AT = new Date('2026-11-22T05:30:05.123Z');
/** The caller's transaction number (the gateway's id generator is tested on its own). */
const CID = '261122143005-0010001';
const member = (digits: string): MemberId => parseMemberId(digits)!;

function setup(overrides: AppConfigOverrides = {}) {
  const transport = new FakeTransport();
  const observer = new RecordingObserver();
  const config = testAppConfig({
    ...overrides,
    konaplate: { secretKey: SECRET, ...overrides.konaplate },
  });
  const breakers = new UpstreamBreakers(config, observer);
  const client = new KonaplateClient(config, transport, breakers, observer);
  return { client, transport, observer, config };
}

silenceNestLogger();

describe('KonaplateClient headers', () => {
  it('sends exactly the seven KONA headers plus Accept and Content-Type when a crypto key id is set', async () => {
    // Arrange
    const { client, transport, config } = setup({ konaplate: { cryptoKeyId: CRYPTO_KEY_ID } });

    // Act
    await client.call(NAMED_CARD, namedCardBody(member('1001'), true), {
      at: AT,
      correlationId: CID,
    });

    // Assert
    const { headers } = transport.last;
    expect(Object.keys(headers).sort()).toEqual(
      [
        'Accept',
        'Content-Type',
        'X-KM-Access-Key',
        'X-KM-Correlation-Id',
        'X-KM-Crypto-Key-Id',
        'X-KM-Time-Zone',
        'X-KM-Tran-Time',
        'X-KM-Tran-Token',
        'X-KM-User-AspId',
      ].sort(),
    );
    expect(headers['Accept']).toBe('application/json');
    expect(headers['Content-Type']).toBe('application/json');
    expect(headers['X-KM-User-AspId']).toBe(config.konaplate.aspId);
    expect(headers['X-KM-User-AspId']).toHaveLength(15);
    expect(headers['X-KM-Access-Key']).toBe(config.konaplate.accessKey);
    expect(headers['X-KM-Access-Key']).toHaveLength(40);
    expect(headers['X-KM-Crypto-Key-Id']).toBe(CRYPTO_KEY_ID);
    expect(headers['X-KM-Correlation-Id']).toMatch(/^\d{12}-[0-9a-f]{7}$/);
    expect(headers['X-KM-Tran-Time']).toMatch(/^\d{14}$/);
    expect(headers['X-KM-Time-Zone']).toBe('KST');
    expect(headers['X-KM-Tran-Token']).toHaveLength(67);
  });

  it('leaves X-KM-Crypto-Key-Id out when no crypto key id is configured', async () => {
    // Arrange
    const { client, transport } = setup();

    // Act
    await client.call(NAMED_CARD, namedCardBody(member('1001'), true), {
      at: AT,
      correlationId: CID,
    });

    // Assert
    const names = Object.keys(transport.last.headers);
    expect(names).not.toContain('X-KM-Crypto-Key-Id');
    expect(names.filter((n) => n.startsWith('X-KM-'))).toHaveLength(6);
  });

  it('posts to the operation path within the configured timeout', async () => {
    // Arrange
    const { client, transport } = setup({ konaplate: { timeoutMs: 750 } });
    const limits = { perTransaction: 1, daily: 2, monthly: 3 };

    // Act
    await client.call(CARD_LIMIT_UPDATE, cardLimitBody(member('1'), 'A'.repeat(27), limits), {
      at: AT,
      correlationId: CID,
    });

    // Assert
    expect(transport.last.path).toBe('/api/v1/card/payment/limit/update');
    // The deadline is fixed before sending, so what is left of it is at most the configured time.
    expect(transport.last.timeoutMs).toBeLessThanOrEqual(750);
    expect(transport.last.timeoutMs).toBeGreaterThan(650);
  });

  it('never sends the secret key', async () => {
    // Arrange
    const { client, transport } = setup();

    // Act
    await client.call(NAMED_CARD, namedCardBody(member('1001'), true), {
      at: AT,
      correlationId: CID,
    });

    // Assert
    const sent = JSON.stringify(transport.last);
    expect(sent).not.toContain(SECRET);
  });
});

describe('KonaplateClient times', () => {
  it('derives the correlation id, Tran-Time and token time from one instant, in KST', async () => {
    // Arrange
    const { client, transport } = setup({ konaplate: { timeZone: 'KST' } });

    // Act
    await client.call(NAMED_CARD, namedCardBody(member('1001'), true), {
      at: AT,
      correlationId: CID,
    });

    // Assert
    const headers = transport.last.headers;
    const tokenTime = headers['X-KM-Tran-Token'].split(':')[1];
    expect(headers['X-KM-Tran-Time']).toBe('20261122143005');
    expect(tokenTime).toBe('20261122143005123');
    expect(headers['X-KM-Correlation-Id'].slice(0, 12)).toBe('261122143005');
    expect(headers['X-KM-Correlation-Id'].slice(0, 12)).toBe(headers['X-KM-Tran-Time'].slice(2));
    expect(tokenTime.slice(2, 14)).toBe(headers['X-KM-Tran-Time'].slice(2));
    expect(headers['X-KM-Time-Zone']).toBe('KST');
  });

  it('expresses every time in UTC when KONAPLATE_TIME_ZONE is UTC', async () => {
    // Arrange
    const { client, transport } = setup({ konaplate: { timeZone: 'UTC' } });

    // Act
    await client.call(NAMED_CARD, namedCardBody(member('1001'), true), {
      at: AT,
      correlationId: CID,
    });

    // Assert
    const headers = transport.last.headers;
    expect(headers['X-KM-Time-Zone']).toBe('UTC');
    expect(headers['X-KM-Tran-Time']).toBe('20261122053005');
    expect(headers['X-KM-Tran-Token'].split(':')[1]).toBe('20261122053005123');
  });
});

describe('KonaplateClient body and token', () => {
  it('sends the body with the exact digits of a member id above 2^64 as a JSON number', async () => {
    // Arrange
    const { client, transport } = setup();

    // Act
    await client.call(NAMED_CARD, namedCardBody(member('9999999999999999999'), false), {
      at: AT,
      correlationId: CID,
    });

    // Assert
    expect(transport.last.body).toBe('{"userId":9999999999999999999,"isCheckNamedYn":"N"}');
  });

  it('signs exactly the body string it sends', async () => {
    // Arrange
    const { client, transport } = setup();
    const limits = { perTransaction: 500000, daily: 1000000, monthly: 0 };

    // Act
    await client.call(
      CARD_LIMIT_UPDATE,
      cardLimitBody(member('9007199254740993'), 'ABCD1234567890123456789WXYZ', limits),
      { at: AT, correlationId: CID },
    );

    // Assert: recompute the MAC over the bytes the transport received.
    const { body, headers } = transport.last;
    const mac = createHmac('sha256', SECRET).update(body, 'utf8').digest('base64');
    expect(headers['X-KM-Tran-Token']).toBe(`KMV1:20261122143005123:${mac}`);
    expect(body).toContain('"userId":9007199254740993');
  });

  it('signs the UTF-8 bytes of a body with Korean text to the openssl vector', async () => {
    // Arrange: printf '%s' '{"userId":1001006,"memo":"실명 등록 카드"}' \
    //   | openssl dgst -sha256 -hmac 'sandbox-secret-key-0123456789' -binary | base64
    const { client, transport } = setup({
      konaplate: { secretKey: 'sandbox-secret-key-0123456789' },
    });
    const body = { userId: namedCardBody(member('1001006'), true).userId, memo: '실명 등록 카드' };

    // Act
    await client.call(NAMED_CARD, body, {
      at: new Date('2025-12-31T15:00:00.000Z'),
      correlationId: CID,
    });

    // Assert
    expect(transport.last.headers['X-KM-Tran-Token']).toBe(
      'KMV1:20260101000000000:elc3/HHnv7UrSvIK4EyJuN5Usm/9B4ikAsXErTevQXc=',
    );
  });
});

describe('KonaplateClient correlation ids', () => {
  it('sends a given correlation id unchanged and returns it', async () => {
    // Arrange
    const { client, transport } = setup();
    const given = '260101000000-abcdef0';

    // Act
    const result = await client.call(NAMED_CARD, namedCardBody(member('1001'), true), {
      at: AT,
      correlationId: given,
    });

    // Assert
    expect(transport.last.headers['X-KM-Correlation-Id']).toBe(given);
    expect(result.correlationId).toBe(given);
  });

  it('returns the correlation id it sent with the success fields', async () => {
    // Arrange
    const { client, transport } = setup();
    transport.answer({ status: 200, text: '{"code":"000_000","userId":9999999999999999999}' });

    // Act
    const result = await client.call(NAMED_CARD, namedCardBody(member('1001'), true), {
      at: AT,
      correlationId: CID,
    });

    // Assert
    expect(result.correlationId).toBe(transport.last.headers['X-KM-Correlation-Id']);
    expect(String(result.fields.userId)).toBe('9999999999999999999');
  });

  it('puts the correlation id on a business error', async () => {
    // Arrange
    const { client, transport } = setup();
    transport.answer({ status: 400, text: '{"code":"001_006"}' });

    // Act
    const error = await failureOf(
      client.call(NAMED_CARD, namedCardBody(member('1001006'), true), {
        at: AT,
        correlationId: CID,
      }),
    );

    // Assert
    expect(error.code).toBe(ErrorCode.WalletUserNotFound);
    expect(error.details.correlationId).toBe(transport.last.headers['X-KM-Correlation-Id']);
  });

  it('puts the correlation id on a transport failure, mapped by its kind', async () => {
    // Arrange
    const { client, transport } = setup();
    transport.answer(new TransportFailure('timeout', true, 'aborted'));

    // Act
    const error = await failureOf(
      client.call(NAMED_CARD, namedCardBody(member('1001'), true), {
        at: AT,
        correlationId: '261122143005-1234567',
      }),
    );

    // Assert
    expect(error.code).toBe(ErrorCode.UpstreamTimeout);
    expect(error.details.outcomeUnknown).toBe(true);
    expect(error.details.correlationId).toBe('261122143005-1234567');
  });

  it('lets an error that is not a transport failure through unchanged', async () => {
    // Arrange
    const { client, transport } = setup();
    const bug = new RangeError('bug in the transport');
    transport.answer(bug);

    // Act
    const call = client.call(NAMED_CARD, namedCardBody(member('1001'), true), {
      at: AT,
      correlationId: CID,
    });

    // Assert
    await expect(call).rejects.toBe(bug);
  });
});

describe('KonaplateClient observer', () => {
  it.each([
    { answers: [{ status: 200, text: '{"code":"000_000"}' }], outcome: 'success' },
    { answers: [{ status: 400, text: '{"code":"001_006"}' }], outcome: '001_006' },
    { answers: [{ status: 400, text: '{"code":"999_999"}' }], outcome: '999_999' },
    { answers: [{ status: 503, text: '{"code":"000_000"}' }], outcome: 'http_503' },
    { answers: [{ status: 200, text: '<html>' }], outcome: 'malformed' },
    { answers: [new TransportFailure('timeout', true, 't')], outcome: 'timeout' },
    // A refused connection is retried once (KONA cannot have acted): refuse both attempts.
    {
      answers: [
        new TransportFailure('refused', false, 'r'),
        new TransportFailure('refused', false, 'r'),
      ],
      outcome: 'refused',
    },
    { answers: [new TransportFailure('reset', true, 'r')], outcome: 'reset' },
    { answers: [new RangeError('bug')], outcome: 'error' },
  ])('records the outcome $outcome with the operation name', async ({ answers, outcome }) => {
    // Arrange
    const { client, transport, observer } = setup();
    transport.answer(...answers);

    // Act
    await client
      .call(
        CARD_LIMIT_UPDATE,
        cardLimitBody(member('1'), 'A'.repeat(27), { perTransaction: 1, daily: 1, monthly: 1 }),
        { at: AT, correlationId: CID },
      )
      .catch(() => undefined);

    // Assert
    expect(observer.calls).toHaveLength(1);
    expect(observer.calls[0]).toMatchObject({ operation: 'card-limit-update', outcome });
    expect(observer.calls[0].durationMs).toBeGreaterThanOrEqual(0);
  });

  it('records circuit_open and answers UPSTREAM_UNAVAILABLE once the breaker has opened', async () => {
    // Arrange: a breaker that opens after one failure, tripped by a 503.
    const { client, transport, observer } = setup({ breaker: { threshold: 1, cooldownMs: 4000 } });
    transport.answer({ status: 503, text: '{"code":"500_000"}' });
    await client
      .call(NAMED_CARD, namedCardBody(member('1001'), true), { at: AT, correlationId: CID })
      .catch(() => undefined);

    // Act
    const error = await failureOf(
      client.call(NAMED_CARD, namedCardBody(member('1001'), true), {
        at: AT,
        correlationId: '261122143005-7654321',
      }),
    );

    // Assert
    expect(transport.requests).toHaveLength(1);
    expect(error.code).toBe(ErrorCode.UpstreamUnavailable);
    expect(error.details.retryAfter).toBe(4);
    expect(error.details.correlationId).toBe('261122143005-7654321');
    expect(observer.calls.map((c) => c.outcome)).toEqual(['http_503', 'circuit_open']);
    expect(observer.circuits).toContainEqual(['namedcard', 'open']);
  });

  it('works without an observer', async () => {
    // Arrange
    const transport = new FakeTransport();
    const config = testAppConfig();
    const client = new KonaplateClient(config, transport, new UpstreamBreakers(config));

    // Act
    const result = await client.call(NAMED_CARD, namedCardBody(member('1001'), true), {
      at: AT,
      correlationId: CID,
    });

    // Assert
    expect(result.correlationId).toBe(CID);
  });
});

describe('KonaplateClient transport retries', () => {
  const limitsCall = (client: KonaplateClient) =>
    client.call(
      CARD_LIMIT_UPDATE,
      cardLimitBody(member('1'), 'A'.repeat(27), { perTransaction: 1, daily: 1, monthly: 1 }),
      { at: AT, correlationId: '261122143005-abcdef0' },
    );

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each([
    { first: new TransportFailure('refused', false, 'ECONNREFUSED'), reason: 'refused' },
    { first: new TransportFailure('reset', false, 'ECONNRESET'), reason: 'unsent' },
  ])('sends again after $reason, counts it and logs one warn line', async ({ first, reason }) => {
    // Arrange
    const { client, transport, observer, config } = setup();
    const warn = jest.spyOn(Logger.prototype, 'warn');
    transport.answer(first, { status: 200, text: '{"code":"000_000"}' });

    // Act
    const result = await limitsCall(client);

    // Assert: the same transaction twice, reported once as a retry.
    expect(result.correlationId).toBe('261122143005-abcdef0');
    expect(transport.requests).toHaveLength(2);
    expect(transport.requests[1].headers).toEqual(transport.requests[0].headers);
    expect(observer.retries).toEqual([{ operation: 'card-limit-update', reason }]);
    expect(observer.calls.map((c) => c.outcome)).toEqual(['success']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatchObject({
      operation: 'card-limit-update',
      correlationId: '261122143005-abcdef0',
      reason,
    });
    const line = JSON.stringify(warn.mock.calls[0]);
    expect(line).not.toContain(config.konaplate.accessKey);
    expect(line).not.toContain(SECRET);
    expect(line).not.toContain('KMV1:');
  });

  it.each([
    { failure: new TransportFailure('reset', true, 'ECONNRESET'), code: ErrorCode.UpstreamError },
    { failure: new TransportFailure('other', true, 'EPROTO'), code: ErrorCode.UpstreamError },
    // The deadline is spent, and an aborted request may be at KONA whatever the flag says.
    { failure: new TransportFailure('timeout', false, 'aborted'), code: ErrorCode.UpstreamTimeout },
  ])(
    'never sends again after $failure.kind with requestWritten $failure.requestWritten',
    async ({ failure, code }) => {
      // Arrange
      const { client, transport, observer } = setup();
      transport.answer(failure, { status: 200, text: '{"code":"000_000"}' });

      // Act
      const error = await failureOf(limitsCall(client));

      // Assert
      expect(transport.requests).toHaveLength(1);
      expect(error.code).toBe(code);
      expect(error.details.outcomeUnknown).toBe(true);
      expect(observer.retries).toEqual([]);
    },
  );
});
