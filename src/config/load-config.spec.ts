import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config.error';
import { FILE_KEYS, SECRET_KEYS } from './config.keys';
import { loadConfig } from './load-config';
import {
  ACCESS_KEY,
  ASP_ID,
  type Env,
  JWT_SECRET,
  SECRET_KEY,
  minimalEnv,
  problemsOf,
} from '../testing/config-env';

describe('loadConfig defaults', () => {
  it('fills every optional setting with its documented default', () => {
    // Act
    const config = loadConfig(minimalEnv());

    // Assert
    expect(config.production).toBe(false);
    expect(config.http).toEqual({
      host: '0.0.0.0',
      port: 3000,
      corsOrigins: [],
      limits: {
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 10_000,
        idleTimeoutMs: 60_000,
        keepAliveTimeoutMs: 75_000,
        maxConnections: 10_000,
      },
    });
    expect(config.logLevel).toBe('info');
    expect(config.konaplate).toEqual({
      baseUrl: 'https://sandbox.konaplate.com/open-api',
      aspId: ASP_ID,
      accessKey: ACCESS_KEY,
      secretKey: SECRET_KEY,
      cryptoKeyId: undefined,
      timeZone: 'KST',
      timeoutMs: 5000,
      allowPlaintext: false,
      encryption: null,
    });
    expect(config.auth).toMatchObject({ jwtSecret: JWT_SECRET, userIdClaim: 'sub' });
    expect(config.redis).toEqual({ kind: 'memory' });
    expect(config.idempotency).toEqual({
      ttlSeconds: 86_400,
      leaseMs: 15_000,
      completionRetryMs: 15_000,
      minReplicas: 0,
      replicaWaitMs: 250,
      requireDurableRedis: false,
    });
    expect(config.rateLimitPerMinute).toBe(20);
    expect(config.breaker).toEqual({ threshold: 5, cooldownMs: 10_000 });
    expect(config.shutdownDelayMs).toBe(5000);
  });

  it('drops trailing slashes from the KONA base URL', () => {
    // Act
    const config = loadConfig(
      minimalEnv({ KONAPLATE_BASE_URL: 'https://sandbox.konaplate.com/open-api//' }),
    );

    // Assert
    expect(config.konaplate.baseUrl).toBe('https://sandbox.konaplate.com/open-api');
  });

  it('reads explicit values', () => {
    // Act
    const config = loadConfig(
      minimalEnv({
        PORT: '8080',
        LOG_LEVEL: 'debug',
        KONAPLATE_TIME_ZONE: 'UTC',
        KONAPLATE_TIMEOUT_MS: '800',
        KONAPLATE_CRYPTO_KEY_ID: 'CK0123456789abcdef0123456789abcd',
        CORS_ORIGINS: 'https://a.example, https://b.example',
        RATE_LIMIT_PER_MINUTE: '3',
      }),
    );

    // Assert
    expect(config.http.port).toBe(8080);
    expect(config.logLevel).toBe('debug');
    expect(config.konaplate.timeZone).toBe('UTC');
    expect(config.konaplate.timeoutMs).toBe(800);
    expect(config.konaplate.cryptoKeyId).toBe('CK0123456789abcdef0123456789abcd');
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.rateLimitPerMinute).toBe(3);
  });

  it('treats an empty variable as unset', () => {
    // Act
    const config = loadConfig(minimalEnv({ PORT: '', LOG_LEVEL: '  ' }));

    // Assert
    expect(config.http.port).toBe(3000);
    expect(config.logLevel).toBe('info');
  });
});

describe('loadConfig errors', () => {
  it('names every bad or missing variable in one ConfigError', () => {
    // Arrange
    const env: Env = {
      KONAPLATE_ASP_ID: 'too-short',
      KONAPLATE_ACCESS_KEY: 'x'.repeat(39),
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      KONAPLATE_TIME_ZONE: 'JST',
      KONAPLATE_TIMEOUT_MS: '-1',
      REDIS_URL: 'not a url',
    };

    // Act
    const problems = problemsOf(env);

    // Assert
    const text = problems.join('\n');
    for (const name of [
      'KONAPLATE_BASE_URL',
      'KONAPLATE_ASP_ID',
      'KONAPLATE_ACCESS_KEY',
      'KONAPLATE_SECRET_KEY',
      'PORT',
      'LOG_LEVEL',
      'KONAPLATE_TIME_ZONE',
      'KONAPLATE_TIMEOUT_MS',
      'REDIS_URL',
      'AUTH_JWT_SECRET',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('puts every problem in the error message as well', () => {
    // Arrange
    const env = minimalEnv({ PORT: '70000', LOG_LEVEL: 'loud' });

    // Act
    const load = () => loadConfig(env);

    // Assert
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/PORT[\s\S]*LOG_LEVEL/);
  });

  it.each([
    ['KONAPLATE_ASP_ID', 'A'.repeat(14)],
    ['KONAPLATE_ASP_ID', 'A'.repeat(16)],
    ['KONAPLATE_ACCESS_KEY', 'A'.repeat(39)],
    ['KONAPLATE_ACCESS_KEY', 'A'.repeat(41)],
    ['KONAPLATE_CRYPTO_KEY_ID', 'A'.repeat(31)],
    ['KONAPLATE_SECRET_KEY', 'A'.repeat(15)],
    ['AUTH_JWT_SECRET', 'A'.repeat(31)],
  ])('refuses %s with the wrong length (%s)', (key, value) => {
    // Act
    const problems = problemsOf(minimalEnv({ [key]: value }));

    // Assert
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(key);
  });

  it('accepts an ASP id of exactly 15 and an access key of exactly 40 characters', () => {
    // Act
    const config = loadConfig(
      minimalEnv({ KONAPLATE_ASP_ID: 'B'.repeat(15), KONAPLATE_ACCESS_KEY: 'C'.repeat(40) }),
    );

    // Assert
    expect(config.konaplate.aspId).toBe('B'.repeat(15));
    expect(config.konaplate.accessKey).toBe('C'.repeat(40));
  });

  it.each(['ftp://sandbox.konaplate.com', 'sandbox.konaplate.com', '/open-api'])(
    'refuses a KONA base URL that is not an absolute http(s) URL: %s',
    (url) => {
      // Act
      const problems = problemsOf(minimalEnv({ KONAPLATE_BASE_URL: url }));

      // Assert
      expect(problems).toEqual([expect.stringContaining('KONAPLATE_BASE_URL')]);
    },
  );
});

describe('loadConfig auth', () => {
  it('needs one of AUTH_JWT_SECRET or AUTH_JWKS_URL', () => {
    // Act
    const problems = problemsOf(minimalEnv({ AUTH_JWT_SECRET: undefined }));

    // Assert
    expect(problems).toEqual([expect.stringMatching(/AUTH_JWT_SECRET.*AUTH_JWKS_URL/)]);
  });

  it('refuses both AUTH_JWT_SECRET and AUTH_JWKS_URL at once', () => {
    // Act
    const problems = problemsOf(
      minimalEnv({ AUTH_JWKS_URL: 'https://issuer.example/.well-known/jwks.json' }),
    );

    // Assert
    expect(problems).toEqual([expect.stringMatching(/exactly one of AUTH_JWT_SECRET/)]);
  });

  it('accepts AUTH_JWKS_URL alone, with issuer, audience and claim', () => {
    // Act
    const config = loadConfig(
      minimalEnv({
        AUTH_JWT_SECRET: undefined,
        AUTH_JWKS_URL: 'https://issuer.example/.well-known/jwks.json',
        AUTH_JWT_ISSUER: 'https://issuer.example/',
        AUTH_JWT_AUDIENCE: 'kona-bff',
        AUTH_USER_ID_CLAIM: 'kona_user_id',
      }),
    );

    // Assert
    expect(config.auth).toEqual({
      jwtSecret: undefined,
      jwksUrl: 'https://issuer.example/.well-known/jwks.json',
      issuer: 'https://issuer.example/',
      audience: 'kona-bff',
      userIdClaim: 'kona_user_id',
    });
  });
});

describe('loadConfig secrets from files', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kbff-config-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function secretFile(name: string, content: string): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  it('reads a secret from the file named by <KEY>_FILE, without the trailing newline', () => {
    // Arrange
    const path = secretFile('secret-key', 'file-secret-key-0123456789\n');

    // Act
    const config = loadConfig(
      minimalEnv({ KONAPLATE_SECRET_KEY: undefined, KONAPLATE_SECRET_KEY_FILE: path }),
    );

    // Assert
    expect(config.konaplate.secretKey).toBe('file-secret-key-0123456789');
  });

  it('reads every secret key that way (access key, JWT secret, Redis password)', () => {
    // Arrange
    const env = minimalEnv({
      KONAPLATE_ACCESS_KEY: undefined,
      KONAPLATE_ACCESS_KEY_FILE: secretFile('access-key', 'F'.repeat(40)),
      AUTH_JWT_SECRET: undefined,
      AUTH_JWT_SECRET_FILE: secretFile('jwt', 'J'.repeat(32)),
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PASSWORD_FILE: secretFile('redis', 'redis-pass'),
    });

    // Act
    const config = loadConfig(env);

    // Assert
    expect(config.konaplate.accessKey).toBe('F'.repeat(40));
    expect(config.auth.jwtSecret).toBe('J'.repeat(32));
    expect(config.redis).toEqual({
      kind: 'single',
      url: 'redis://127.0.0.1:6379',
      password: 'redis-pass',
    });
  });

  it('applies the length rules to a secret read from a file', () => {
    // Arrange
    const path = secretFile('short-access-key', 'F'.repeat(39));

    // Act
    const problems = problemsOf(
      minimalEnv({ KONAPLATE_ACCESS_KEY: undefined, KONAPLATE_ACCESS_KEY_FILE: path }),
    );

    // Assert
    expect(problems).toEqual([expect.stringContaining('KONAPLATE_ACCESS_KEY must be exactly 40')]);
  });

  it('refuses a secret set both directly and through <KEY>_FILE', () => {
    // Arrange
    const path = secretFile('both', 'file-secret-key-0123456789');

    // Act
    const problems = problemsOf(minimalEnv({ KONAPLATE_SECRET_KEY_FILE: path }));

    // Assert
    expect(problems).toEqual([
      expect.stringMatching(/KONAPLATE_SECRET_KEY and KONAPLATE_SECRET_KEY_FILE are both set/),
    ]);
  });

  it('refuses a <KEY>_FILE that names a file it cannot read', () => {
    // Act
    const problems = problemsOf(
      minimalEnv({
        KONAPLATE_SECRET_KEY: undefined,
        KONAPLATE_SECRET_KEY_FILE: join(dir, 'does-not-exist'),
      }),
    );

    // Assert
    expect(problems).toContainEqual(expect.stringContaining('KONAPLATE_SECRET_KEY_FILE'));
  });

  it('refuses a <KEY>_FILE that names a directory (unreadable even for root)', () => {
    // Act
    const problems = problemsOf(
      minimalEnv({ AUTH_JWT_SECRET: undefined, AUTH_JWT_SECRET_FILE: dir }),
    );

    // Assert
    expect(problems).toContainEqual('AUTH_JWT_SECRET_FILE: cannot read the file it names');
  });

  it('ignores <KEY>_FILE for a variable that is not a secret', () => {
    // Arrange
    const path = secretFile('asp-id', 'Z'.repeat(15));

    // Act
    const config = loadConfig(minimalEnv({ KONAPLATE_ASP_ID_FILE: path }));

    // Assert
    expect(config.konaplate.aspId).toBe(ASP_ID);
  });
});

describe('loadConfig redis', () => {
  it('uses the in-process store in development when no Redis is configured', () => {
    // Act
    const config = loadConfig(minimalEnv({ NODE_ENV: 'development' }));

    // Assert
    expect(config.production).toBe(false);
    expect(config.redis).toEqual({ kind: 'memory' });
  });

  it('refuses to start in production without Redis', () => {
    // Act
    const problems = problemsOf(minimalEnv({ NODE_ENV: 'production' }));

    // Assert
    expect(problems).toEqual([expect.stringMatching(/Redis setting .* is required in production/)]);
  });

  it('starts in production with REDIS_URL', () => {
    // Act
    const config = loadConfig(
      minimalEnv({ NODE_ENV: 'production', REDIS_URL: 'rediss://cache.internal:6380/0' }),
    );

    // Assert
    expect(config.production).toBe(true);
    expect(config.redis).toEqual({ kind: 'single', url: 'rediss://cache.internal:6380/0' });
  });

  it('parses REDIS_SENTINELS with REDIS_SENTINEL_NAME', () => {
    // Act
    const config = loadConfig(
      minimalEnv({
        REDIS_SENTINELS: 'sentinel-0:26379, sentinel-1.ns.svc:26380,10.0.0.7:26381',
        REDIS_SENTINEL_NAME: 'mymaster',
      }),
    );

    // Assert
    expect(config.redis).toEqual({
      kind: 'sentinel',
      name: 'mymaster',
      sentinels: [
        { host: 'sentinel-0', port: 26379 },
        { host: 'sentinel-1.ns.svc', port: 26380 },
        { host: '10.0.0.7', port: 26381 },
      ],
      password: undefined,
    });
  });

  it('needs REDIS_SENTINEL_NAME with REDIS_SENTINELS', () => {
    // Act
    const problems = problemsOf(minimalEnv({ REDIS_SENTINELS: 'sentinel-0:26379' }));

    // Assert
    expect(problems).toEqual(['REDIS_SENTINEL_NAME is required with REDIS_SENTINELS']);
  });

  it.each(['sentinel-0', 'sentinel-0:', 'sentinel-0:abc', 'a:1,,b:2', 'a b:1'])(
    'refuses REDIS_SENTINELS that is not a list of host:port: %s',
    (value) => {
      // Act
      const problems = problemsOf(
        minimalEnv({ REDIS_SENTINELS: value, REDIS_SENTINEL_NAME: 'mymaster' }),
      );

      // Assert
      expect(problems).toEqual([expect.stringContaining('REDIS_SENTINELS must be')]);
    },
  );

  it('refuses a sentinel port outside 1..65535', () => {
    const problems = problemsOf(
      minimalEnv({ REDIS_SENTINELS: 'sentinel-0:99999', REDIS_SENTINEL_NAME: 'mymaster' }),
    );

    // Assert
    expect(problems).toEqual([expect.stringContaining('REDIS_SENTINELS')]);
  });

  it('parses REDIS_CLUSTER_NODES', () => {
    // Act
    const config = loadConfig(minimalEnv({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001' }));

    // Assert
    expect(config.redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: '127.0.0.1', port: 7001 },
      ],
      password: undefined,
    });
  });

  it('refuses more than one kind of Redis setting', () => {
    // Act
    const problems = problemsOf(
      minimalEnv({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000' }),
    );

    // Assert
    expect(problems).toEqual([expect.stringMatching(/set only one of REDIS_URL/)]);
  });
});

describe('loadConfig HTTP limits', () => {
  it('reads every timeout and the connection cap', () => {
    // Act
    const config = loadConfig(
      minimalEnv({
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_REQUEST_TIMEOUT_MS: '1500',
        HTTP_IDLE_TIMEOUT_MS: '6000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
        HTTP_MAX_CONNECTIONS: '5000',
      }),
    );

    // Assert
    expect(config.http.limits).toEqual({
      headersTimeoutMs: 1000,
      requestTimeoutMs: 1500,
      idleTimeoutMs: 6000,
      keepAliveTimeoutMs: 65_000,
      maxConnections: 5000,
    });
  });

  it('defaults the idle timeout to 60 s, or the KONA timeout plus 10 s when that is longer', () => {
    // Act
    const slow = loadConfig(minimalEnv({ KONAPLATE_TIMEOUT_MS: '90000' }));

    // Assert
    expect(slow.http.limits?.idleTimeoutMs).toBe(100_000);
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    // Act
    const problems = problemsOf(
      minimalEnv({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '4000' }),
    );

    // Assert
    expect(problems).toEqual([
      'HTTP_HEADERS_TIMEOUT_MS must not be greater than HTTP_REQUEST_TIMEOUT_MS',
    ]);
  });

  it('refuses an idle timeout that a KONA call could outlast', () => {
    // Act
    const problems = problemsOf(
      minimalEnv({ KONAPLATE_TIMEOUT_MS: '5000', HTTP_IDLE_TIMEOUT_MS: '5000' }),
    );

    // Assert
    expect(problems).toEqual(['HTTP_IDLE_TIMEOUT_MS must be greater than KONAPLATE_TIMEOUT_MS']);
  });

  it.each([
    ['HTTP_HEADERS_TIMEOUT_MS', '0', 'from 500 to 120000'],
    ['HTTP_REQUEST_TIMEOUT_MS', '10s', 'from 500 to 600000'],
    ['HTTP_IDLE_TIMEOUT_MS', '999', 'from 1000 to 3600000'],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '-1', 'from 1000 to 3600000'],
    ['HTTP_MAX_CONNECTIONS', '0', 'from 1 to 1000000'],
  ])('refuses %s=%s', (key, value, range) => {
    // Act
    const problems = problemsOf(minimalEnv({ [key]: value }));

    // Assert
    expect(problems).toEqual([`${key} must be an integer ${range} (got "${value}")`]);
  });
});

describe('loadConfig idempotency lease', () => {
  it('defaults the lease to three times the KONA timeout', () => {
    // Act
    const config = loadConfig(minimalEnv({ KONAPLATE_TIMEOUT_MS: '800' }));

    // Assert
    expect(config.idempotency.leaseMs).toBe(2400);
  });

  it('refuses a lease equal to the KONA timeout', () => {
    // Act
    const problems = problemsOf(
      minimalEnv({ KONAPLATE_TIMEOUT_MS: '800', IDEMPOTENCY_LEASE_MS: '800' }),
    );

    // Assert
    expect(problems).toEqual(['IDEMPOTENCY_LEASE_MS must be greater than KONAPLATE_TIMEOUT_MS']);
  });

  it('accepts a lease one millisecond longer than the KONA timeout', () => {
    // Act
    const config = loadConfig(
      minimalEnv({ KONAPLATE_TIMEOUT_MS: '800', IDEMPOTENCY_LEASE_MS: '801' }),
    );

    // Assert
    expect(config.idempotency.leaseMs).toBe(801);
  });

  it('refuses a lease shorter than the default KONA timeout', () => {
    // Act
    const problems = problemsOf(minimalEnv({ IDEMPOTENCY_LEASE_MS: '4999' }));

    // Assert
    expect(problems).toEqual(['IDEMPOTENCY_LEASE_MS must be greater than KONAPLATE_TIMEOUT_MS']);
  });
});

describe('loadConfig URL schemes', () => {
  it.each([
    ['KONAPLATE_BASE_URL', 'redis://kona', 'http: or https:'],
    ['KONAPLATE_BASE_URL', 'rediss://kona:6380', 'http: or https:'],
    ['AUTH_JWKS_URL', 'redis://issuer.example/jwks', 'http: or https:'],
    ['AUTH_JWKS_URL', 'ftp://issuer.example/jwks.json', 'http: or https:'],
    ['REDIS_URL', 'https://redis', 'redis: or rediss:'],
    ['REDIS_URL', 'http://redis:6379', 'redis: or rediss:'],
  ])('refuses %s=%s, naming the allowed schemes', (key, url, allowed) => {
    // Arrange
    const env = minimalEnv({ [key]: url });
    if (key === 'AUTH_JWKS_URL') env.AUTH_JWT_SECRET = undefined;

    // Act
    const problems = problemsOf(env);

    // Assert
    expect(problems).toEqual([
      `${key} must use the scheme ${allowed} (got ${new URL(url).protocol})`,
    ]);
  });

  it('does not echo a URL it refuses (it may carry a password)', () => {
    // Act
    const problems = problemsOf(minimalEnv({ REDIS_URL: 'https://:hunter2@redis:6379' }));

    // Assert
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain('hunter2');
  });

  it('accepts http: for KONA and AUTH_JWKS_URL outside production', () => {
    // Act
    const config = loadConfig(
      minimalEnv({
        KONAPLATE_BASE_URL: 'http://127.0.0.1:8080/open-api',
        AUTH_JWT_SECRET: undefined,
        AUTH_JWKS_URL: 'http://127.0.0.1:9000/jwks.json',
      }),
    );

    // Assert
    expect(config.konaplate.baseUrl).toBe('http://127.0.0.1:8080/open-api');
    expect(config.auth.jwksUrl).toBe('http://127.0.0.1:9000/jwks.json');
  });
});

describe('loadConfig production TLS', () => {
  const production = (overrides: Env = {}): Env =>
    minimalEnv({ NODE_ENV: 'production', REDIS_URL: 'redis://redis:6379', ...overrides });

  it('refuses a plain http: KONA base URL in production', () => {
    // Act
    const problems = problemsOf(production({ KONAPLATE_BASE_URL: 'http://kona.internal:8080' }));

    // Assert
    expect(problems).toEqual([
      expect.stringMatching(/^KONAPLATE_BASE_URL must use https: in production.*ALLOW_PLAINTEXT/),
    ]);
  });

  it('refuses it with KONAPLATE_ALLOW_PLAINTEXT=false as well', () => {
    // Act
    const problems = problemsOf(
      production({
        KONAPLATE_BASE_URL: 'http://kona.internal:8080',
        KONAPLATE_ALLOW_PLAINTEXT: 'false',
      }),
    );

    // Assert
    expect(problems).toEqual([expect.stringContaining('KONAPLATE_BASE_URL must use https:')]);
  });

  it('accepts it with KONAPLATE_ALLOW_PLAINTEXT=true, and says so in the config', () => {
    // Act
    const config = loadConfig(
      production({
        KONAPLATE_BASE_URL: 'http://kona.internal:8080',
        KONAPLATE_ALLOW_PLAINTEXT: 'true',
      }),
    );

    // Assert
    expect(config.production).toBe(true);
    expect(config.konaplate.baseUrl).toBe('http://kona.internal:8080');
    expect(config.konaplate.allowPlaintext).toBe(true);
  });

  it('accepts https: in production without the flag, which stays false', () => {
    // Act
    const config = loadConfig(production());

    // Assert
    expect(config.konaplate.baseUrl).toMatch(/^https:/);
    expect(config.konaplate.allowPlaintext).toBe(false);
  });

  it.each(['yes', '1', 'TRUE '])(
    'refuses KONAPLATE_ALLOW_PLAINTEXT=%s (true or false only)',
    (value) => {
      // Act
      const problems = problemsOf(minimalEnv({ KONAPLATE_ALLOW_PLAINTEXT: value }));

      // Assert
      expect(problems).toEqual([
        expect.stringMatching(/^KONAPLATE_ALLOW_PLAINTEXT must be true or false/),
      ]);
    },
  );

  it('refuses a plain http: AUTH_JWKS_URL in production, even with KONAPLATE_ALLOW_PLAINTEXT', () => {
    // Act
    const problems = problemsOf(
      production({
        AUTH_JWT_SECRET: undefined,
        AUTH_JWKS_URL: 'http://issuer.internal/jwks.json',
        KONAPLATE_ALLOW_PLAINTEXT: 'true',
      }),
    );

    // Assert
    expect(problems).toEqual(['AUTH_JWKS_URL must use https: in production']);
  });
});

describe('loadConfig message encryption keys', () => {
  const pem = { publicKeyEncoding: { type: 'spki', format: 'pem' } } as const;
  const rsa = (modulusLength: number) =>
    generateKeyPairSync('rsa', {
      modulusLength,
      ...pem,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
  const client = rsa(2048);
  const server = rsa(2048);
  const weak = rsa(1024);
  const ec = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    ...pem,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const PAIR_RULE =
    'set both KONAPLATE_CLIENT_PRIVATE_KEY and KONAPLATE_SERVER_PUBLIC_KEY (message encryption) or neither';

  const withKeys = (overrides: Env = {}): Env =>
    minimalEnv({
      KONAPLATE_CLIENT_PRIVATE_KEY: client.privateKey,
      KONAPLATE_SERVER_PUBLIC_KEY: server.publicKey,
      ...overrides,
    });

  /** A line of the key's base64 body, to check that no message repeats the key. */
  const bodyLine = (key: string) => key.split('\n')[1];

  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kbff-keys-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('configures encryption with both keys, RSA-OAEP-256 and A128GCM by default', () => {
    // Act
    const config = loadConfig(withKeys());

    // Assert
    expect(config.konaplate.encryption).toEqual({
      clientPrivateKeyPem: client.privateKey.trim(),
      serverPublicKeyPem: server.publicKey.trim(),
      alg: 'RSA-OAEP-256',
      enc: 'A128GCM',
    });
  });

  it('accepts RSA-OAEP and A256GCM', () => {
    // Act
    const config = loadConfig(
      withKeys({ KONAPLATE_JWE_ALG: 'RSA-OAEP', KONAPLATE_JWE_ENC: 'A256GCM' }),
    );

    // Assert
    expect(config.konaplate.encryption).toMatchObject({ alg: 'RSA-OAEP', enc: 'A256GCM' });
  });

  it.each([
    ['KONAPLATE_JWE_ALG', 'RSA1_5'],
    ['KONAPLATE_JWE_ALG', 'rsa-oaep-256'],
    ['KONAPLATE_JWE_ENC', 'A192GCM'],
    ['KONAPLATE_JWE_ENC', 'A128CBC-HS256'],
  ])('refuses %s=%s', (key, value) => {
    // Act
    const problems = problemsOf(withKeys({ [key]: value }));

    // Assert
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${key} must be one of`))]);
  });

  it('leaves encryption unconfigured without either key', () => {
    // Act
    const config = loadConfig(minimalEnv({ KONAPLATE_JWE_ALG: 'RSA-OAEP' }));

    // Assert
    expect(config.konaplate.encryption).toBeNull();
  });

  it.each(['KONAPLATE_CLIENT_PRIVATE_KEY', 'KONAPLATE_SERVER_PUBLIC_KEY'])(
    'refuses to start with %s alone',
    (key) => {
      // Act
      const problems = problemsOf(withKeys({ [key]: undefined }));

      // Assert
      expect(problems).toEqual([PAIR_RULE]);
    },
  );

  it.each([
    ['KONAPLATE_CLIENT_PRIVATE_KEY', weak.privateKey],
    ['KONAPLATE_SERVER_PUBLIC_KEY', weak.publicKey],
  ])('refuses a 1024-bit RSA key in %s, without echoing it', (key, value) => {
    // Act
    const problems = problemsOf(withKeys({ [key]: value }));

    // Assert
    expect(problems).toEqual([`${key} must be an RSA key of at least 2048 bits (got 1024)`]);
    expect(problems.join('\n')).not.toContain(bodyLine(value));
  });

  it.each([
    ['KONAPLATE_CLIENT_PRIVATE_KEY', ec.privateKey],
    ['KONAPLATE_SERVER_PUBLIC_KEY', ec.publicKey],
  ])('refuses a non-RSA (EC P-256) key in %s', (key, value) => {
    // Act
    const problems = problemsOf(withKeys({ [key]: value }));

    // Assert
    expect(problems).toEqual([`${key} must be an RSA key (got ec)`]);
  });

  it.each([
    ['KONAPLATE_CLIENT_PRIVATE_KEY', 'not a key'],
    ['KONAPLATE_CLIENT_PRIVATE_KEY', server.publicKey],
    ['KONAPLATE_SERVER_PUBLIC_KEY', 'not a key'],
  ])('refuses %s that is not a PEM key of its kind', (key, value) => {
    // Act
    const problems = problemsOf(withKeys({ [key]: value }));

    // Assert
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${key} must be .*PEM`))]);
    expect(problems.join('\n')).not.toContain(value.includes('\n') ? bodyLine(value) : value);
  });

  it('refuses a private key in KONAPLATE_SERVER_PUBLIC_KEY (a plain setting)', () => {
    // Act
    const problems = problemsOf(withKeys({ KONAPLATE_SERVER_PUBLIC_KEY: server.privateKey }));

    // Assert
    expect(problems).toEqual([
      'KONAPLATE_SERVER_PUBLIC_KEY must be a public key or certificate, not a private key',
    ]);
    expect(problems.join('\n')).not.toContain(bodyLine(server.privateKey));
  });

  it('accepts a PKCS#1 private key, and a one-line PEM with \\n for its line breaks', () => {
    // Arrange
    const pkcs1 = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      ...pem,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    const oneLine = server.publicKey.trim().replace(/\n/g, '\\n');

    // Act
    const config = loadConfig(
      withKeys({
        KONAPLATE_CLIENT_PRIVATE_KEY: pkcs1.privateKey,
        KONAPLATE_SERVER_PUBLIC_KEY: oneLine,
      }),
    );

    // Assert
    expect(oneLine).not.toContain('\n');
    expect(config.konaplate.encryption?.clientPrivateKeyPem).toBe(pkcs1.privateKey.trim());
    expect(config.konaplate.encryption?.serverPublicKeyPem).toBe(server.publicKey.trim());
  });

  it('reads both keys from the files named by <KEY>_FILE', () => {
    // Arrange
    const privatePath = join(dir, 'client.key');
    const publicPath = join(dir, 'server.pub');
    writeFileSync(privatePath, client.privateKey);
    writeFileSync(publicPath, server.publicKey);

    // Act
    const config = loadConfig(
      minimalEnv({
        KONAPLATE_CLIENT_PRIVATE_KEY_FILE: privatePath,
        KONAPLATE_SERVER_PUBLIC_KEY_FILE: publicPath,
      }),
    );

    // Assert
    expect(config.konaplate.encryption).toMatchObject({
      clientPrivateKeyPem: client.privateKey.trim(),
      serverPublicKeyPem: server.publicKey.trim(),
    });
  });

  it('refuses KONAPLATE_SERVER_PUBLIC_KEY set both directly and through its _FILE', () => {
    // Arrange
    const publicPath = join(dir, 'server-both.pub');
    writeFileSync(publicPath, server.publicKey);

    // Act
    const problems = problemsOf(withKeys({ KONAPLATE_SERVER_PUBLIC_KEY_FILE: publicPath }));

    // Assert
    expect(problems).toEqual([
      'KONAPLATE_SERVER_PUBLIC_KEY and KONAPLATE_SERVER_PUBLIC_KEY_FILE are both set; set only one',
    ]);
  });

  it('treats the private key as a secret and the public key as a file-capable plain setting', () => {
    // Assert
    expect(SECRET_KEYS).toContain('KONAPLATE_CLIENT_PRIVATE_KEY');
    expect(SECRET_KEYS).not.toContain('KONAPLATE_SERVER_PUBLIC_KEY');
    expect(FILE_KEYS).toEqual(
      expect.arrayContaining([...SECRET_KEYS, 'KONAPLATE_SERVER_PUBLIC_KEY']),
    );
  });
});
