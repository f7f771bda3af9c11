import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import { runGatewayToExit, startGatewayProcess } from '../ops/gateway-process';
import { gatewayEnv, newKey, newMember, startGateway, tokenFor } from '../support/gateway';
import { RedisServer } from '../support/redis-server';
import { konaCalls, putLimits } from './idempotent-calls';

/** The settings README "What Redis must provide" asks for. */
const DURABLE = [
  '--appendonly',
  'yes',
  '--appendfsync',
  'always',
  '--maxmemory-policy',
  'noeviction',
];

/**
 * Issue #11, item 5: the guarantee needs a Redis that neither forgets (a restart without
 * persistence) nor evicts records. The gateway checks what it can at start.
 */
describe('the gateway and its Redis durability', () => {
  let sandbox: RunningSandbox;
  let forgetful: RedisServer;
  let durable: RedisServer;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    forgetful = await RedisServer.start(['--maxmemory-policy', 'volatile-lru']);
    durable = await RedisServer.start(DURABLE);
  });

  afterAll(async () => {
    await sandbox?.close();
    await forgetful?.stop();
    await durable?.stop();
  });

  const production = (redisUrl: string, extra: Record<string, string> = {}) =>
    gatewayEnv(sandbox.url, {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      KONAPLATE_ALLOW_PLAINTEXT: 'true',
      REDIS_URL: redisUrl,
      ...extra,
    });

  it('refuses to start in production with IDEMPOTENCY_REQUIRE_DURABLE_REDIS=true on a Redis that can forget', async () => {
    // Act
    const run = await runGatewayToExit(
      production(forgetful.url, { IDEMPOTENCY_REQUIRE_DURABLE_REDIS: 'true' }),
    );

    // Assert
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('appendonly is "no"');
    expect(run.stderr).toContain('maxmemory-policy is "volatile-lru"');
    expect(run.stderr).toContain('IDEMPOTENCY_REQUIRE_DURABLE_REDIS=true');
  });

  it('starts on a Redis that can forget when not required, with a warning naming each problem', async () => {
    // Act
    const gateway = await startGatewayProcess(production(forgetful.url));
    const exit = await gateway.stop();

    // Assert
    const warning = gateway
      .stdout()
      .split('\n')
      .find((line) => line.includes('Redis can lose idempotency records'));
    expect(exit.code).toBe(0);
    expect(warning).toContain('appendonly is \\"no\\"');
    expect(warning).toContain('maxmemory-policy is \\"volatile-lru\\"');
  });

  it('starts without a warning on a Redis with append-only fsync and no eviction', async () => {
    // Act
    const gateway = await startGatewayProcess(
      production(durable.url, { IDEMPOTENCY_REQUIRE_DURABLE_REDIS: 'true' }),
    );
    const exit = await gateway.stop();

    // Assert
    expect(exit.code).toBe(0);
    expect(gateway.stdout()).not.toContain('Redis can lose idempotency records');
    expect(gateway.stdout()).not.toContain('could not check');
  });

  it('replays every answer after that Redis is killed and restarted: nothing reaches KONA twice', async () => {
    // Arrange
    const gateway = await startGateway(gatewayEnv(sandbox.url, { REDIS_URL: durable.url }));
    const member = newMember();
    const token = await tokenFor(member);
    const keys = Array.from({ length: 40 }, () => newKey());
    const first = await Promise.all(keys.map((key) => putLimits(gateway, token, key)));

    // Act
    await durable.kill();
    await durable.restart();
    const retries = [];
    for (const key of keys) retries.push(await retryUntilServed(gateway, token, key));
    await gateway.close();

    // Assert
    expect(first.map((a) => a.status)).toEqual(keys.map(() => 200));
    expect(retries.map((a) => a.headers.get('idempotent-replayed'))).toEqual(
      keys.map(() => 'true'),
    );
    expect(konaCalls(sandbox, member)).toHaveLength(keys.length);
  });
});

/** The gateway reconnects on its own; until then it answers 503 (nothing sent). */
async function retryUntilServed(gateway: { url: string }, token: string, key: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await putLimits(gateway, token, key);
    if (answer.status !== 503 || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
