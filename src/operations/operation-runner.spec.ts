import { ErrorCode } from '../common/errors/error-code';
import { CorrelationIds } from '../correlation/correlation-ids';
import { FixedInstanceSlot } from '../correlation/fixed-instance-slot';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { MemoryIdempotencyStore } from '../idempotency/memory-idempotency.store';
import { KonaplateClient } from '../konaplate/konaplate.client';
import type { MessageCrypto } from '../konaplate/message-crypto.port';
import { CARD_LIST } from '../konaplate/operations/card-list.operation';
import { CARD_STATUS_UPDATE } from '../konaplate/operations/card-status.operation';
import { NAMED_CARD } from '../konaplate/operations/named-card.operation';
import { UpstreamBreakers } from '../konaplate/upstream-breakers';
import { parseMemberId } from '../members/member-id';
import { MetricsService } from '../observability/metrics.service';
import { testAppConfig } from '../testing/app-config.fixture';
import { FakeTransport } from '../testing/fake-kona-transport';
import { failureOf, silenceNestLogger } from '../testing/failure-of';
import { PendingRedisWork } from '../redis/pending-work';
import { OperationRunner } from './operation-runner';

const MEMBER = parseMemberId('9999999999999999999')!;
const PAR = 'V0010013019123456789012345A';

/** Decryption is message-crypto.spec's subject: here answers arrive already in plaintext. */
const PLAINTEXT_CRYPTO: MessageCrypto = {
  encryptBody: (text) => Promise.resolve(text),
  openAnswer: (text) => Promise.resolve(text),
};

function setup(options: { crypto?: MessageCrypto | null; rateLimitPerMinute?: number } = {}) {
  const config = testAppConfig({ rateLimitPerMinute: options.rateLimitPerMinute ?? 20 });
  const transport = new FakeTransport();
  const metrics = new MetricsService();
  const store = new MemoryIdempotencyStore();
  const kona = new KonaplateClient(
    config,
    transport,
    new UpstreamBreakers(config, metrics),
    metrics,
    options.crypto === undefined ? PLAINTEXT_CRYPTO : options.crypto,
  );
  const idempotency = new IdempotencyService(config, store, metrics, new PendingRedisWork());
  const ids = new CorrelationIds(new FixedInstanceSlot(), config.konaplate.timeZone);
  return { runner: new OperationRunner(config, kona, idempotency, store, ids), transport };
}

silenceNestLogger();

describe('OperationRunner, a mutating operation', () => {
  it('answers 200 with the mapped answer and replays it for the same key without a second call', async () => {
    // Arrange
    const { runner, transport } = setup();
    const input = { par: PAR, status: 'suspended' as const };

    // Act
    const first = await runner.run(CARD_STATUS_UPDATE, MEMBER, input, 'k-1');
    const second = await runner.run(CARD_STATUS_UPDATE, MEMBER, input, 'k-1');

    // Assert
    expect(first).toMatchObject({ status: 200, body: '{"status":"suspended"}', replayed: false });
    expect(second).toMatchObject({ status: 200, body: first.body, replayed: true });
    expect(transport.requests).toHaveLength(1);
    expect(transport.last.body).toBe(
      `{"userId":9999999999999999999,"par":"${PAR}","status":"SUSPEND"}`,
    );
  });

  it("stores a code the operation maps as KONA's final word: a problem, replayed, one call", async () => {
    // Arrange
    const { runner, transport } = setup();
    transport.answer({ status: 400, text: '{"code":"003_022","description":"terminated"}' });
    const input = { par: PAR, status: 'active' as const };

    // Act
    const first = await runner.run(CARD_STATUS_UPDATE, MEMBER, input, 'k-2');
    const second = await runner.run(CARD_STATUS_UPDATE, MEMBER, input, 'k-2');

    // Assert
    expect(first.status).toBe(409);
    expect(JSON.parse(first.body)).toMatchObject({
      code: 'CARD_TERMINATED',
      upstreamCode: '003_022',
      correlationId: first.correlationId,
    });
    expect(second).toMatchObject({ status: 409, body: first.body, replayed: true });
    expect(transport.requests).toHaveLength(1);
  });

  it('does not store a code the operation does not map: a retry calls KONA again with the same id', async () => {
    // Arrange: 011_001 means something on namedcard, nothing on the card status endpoint.
    const { runner, transport } = setup();
    transport.answer({ status: 400, text: '{"code":"011_001"}' });
    const input = { par: PAR, status: 'active' as const };

    // Act
    const error = await failureOf(runner.run(CARD_STATUS_UPDATE, MEMBER, input, 'k-3'));
    const retry = await runner.run(CARD_STATUS_UPDATE, MEMBER, input, 'k-3');

    // Assert
    expect(error.code).toBe(ErrorCode.UpstreamError);
    expect(retry.status).toBe(200);
    const ids = transport.requests.map((r) => r.headers['X-KM-Correlation-Id']);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
  });

  it('does not store an unknown outcome even when it carries a mapped code (a 5xx with a code)', async () => {
    // Arrange
    const { runner, transport } = setup();
    transport.answer({ status: 503, text: '{"code":"001_006"}' });

    // Act
    const error = await failureOf(
      runner.run(NAMED_CARD, MEMBER, { identityVerified: true }, 'k-4'),
    );
    const retry = await runner.run(NAMED_CARD, MEMBER, { identityVerified: true }, 'k-4');

    // Assert
    expect(error.details.outcomeUnknown).toBe(true);
    expect(retry).toMatchObject({ status: 200, replayed: false });
    expect(transport.requests).toHaveLength(2);
  });
});

describe('OperationRunner, a read-only operation', () => {
  const ANSWER = JSON.stringify({
    code: '000_000',
    cardDataInfo: [
      {
        par: PAR,
        balance: 9_999_999_999,
        pendingAmount: 0,
        isNamed: true,
        limits: { once: 500000, day: 1000000, month: 3000000 },
        status: 'SUSPENDED',
        cardNo: '9410-****-****-1234',
      },
    ],
  });

  it('answers the mapped cards, never cached, with no Idempotency-Key and nothing stored', async () => {
    // Arrange
    const { runner, transport } = setup();
    transport.answer({ status: 200, text: ANSWER }, { status: 200, text: ANSWER });

    // Act
    const first = await runner.run(CARD_LIST, MEMBER, {});
    const second = await runner.run(CARD_LIST, MEMBER, {});

    // Assert
    expect(JSON.parse(first.body)).toEqual({
      cards: [
        {
          par: PAR,
          named: true,
          balance: 9_999_999_999,
          pendingAmount: 0,
          limits: { perTransaction: 500000, daily: 1000000, monthly: 3000000 },
          status: 'suspended',
        },
      ],
    });
    expect(first.headers['cache-control']).toBe('private, no-store');
    expect(second.replayed).toBe(false);
    expect(transport.requests).toHaveLength(2);
    expect(transport.last.body).toBe('{"userId":9999999999999999999}');
  });

  it("counts against the member's rate limit and refuses past it without calling KONA", async () => {
    // Arrange
    const { runner, transport } = setup({ rateLimitPerMinute: 2 });
    transport.answer({ status: 200, text: ANSWER }, { status: 200, text: ANSWER });
    await runner.run(CARD_LIST, MEMBER, {});
    const second = await runner.run(CARD_LIST, MEMBER, {});

    // Act
    const error = await failureOf(runner.run(CARD_LIST, MEMBER, {}));

    // Assert
    expect(second.headers['ratelimit-remaining']).toBe('0');
    expect(error.code).toBe(ErrorCode.RateLimited);
    expect(transport.requests).toHaveLength(2);
  });

  it('answers WALLET_USER_NOT_FOUND for KONA 001_006', async () => {
    // Arrange
    const { runner, transport } = setup();
    transport.answer({ status: 400, text: '{"code":"001_006","description":"no such user"}' });

    // Act
    const error = await failureOf(runner.run(CARD_LIST, MEMBER, {}));

    // Assert
    expect(error.code).toBe(ErrorCode.WalletUserNotFound);
  });

  it('answers UPSTREAM_ERROR, not 500, when KONA succeeds with cards it cannot read', async () => {
    // Arrange
    const { runner, transport } = setup();
    transport.answer({ status: 200, text: '{"code":"000_000","cardDataInfo":{"par":"x"}}' });

    // Act
    const error = await failureOf(runner.run(CARD_LIST, MEMBER, {}));

    // Assert
    expect(error.code).toBe(ErrorCode.UpstreamError);
    expect(error.details.outcomeUnknown).toBe(true);
  });

  it('answers ENCRYPTION_NOT_CONFIGURED without calling KONA when no keys are configured', async () => {
    // Arrange
    const { runner, transport } = setup({ crypto: null });

    // Act
    const error = await failureOf(runner.run(CARD_LIST, MEMBER, {}));

    // Assert
    expect(error.code).toBe(ErrorCode.EncryptionNotConfigured);
    expect(transport.requests).toHaveLength(0);
  });

  it('still runs the operations that need no encryption when no keys are configured', async () => {
    // Arrange
    const { runner, transport } = setup({ crypto: null });

    // Act
    const answer = await runner.run(NAMED_CARD, MEMBER, { identityVerified: true }, 'k-5');

    // Assert
    expect(answer.status).toBe(200);
    expect(transport.requests).toHaveLength(1);
  });
});
