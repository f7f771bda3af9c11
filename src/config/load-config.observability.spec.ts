import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRET_KEYS } from './config.keys';
import { loadConfig } from './load-config';
import { minimalEnv, problemsOf } from '../testing/config-env';

const PRODUCTION = { NODE_ENV: 'production', REDIS_URL: 'redis://redis:6379' };

describe('loadConfig management port', () => {
  it('listens on 9464 on the API’s host, with docs on outside production', () => {
    // Act
    const config = loadConfig(minimalEnv());

    // Assert
    expect(config.management).toEqual({ host: '0.0.0.0', port: 9464, docsEnabled: true });
  });

  it('follows HOST unless MANAGEMENT_HOST is set', () => {
    // Act
    const follows = loadConfig(minimalEnv({ HOST: '127.0.0.1' }));
    const own = loadConfig(
      minimalEnv({ HOST: '0.0.0.0', MANAGEMENT_HOST: '127.0.0.1', MANAGEMENT_PORT: '9100' }),
    );

    // Assert
    expect(follows.management.host).toBe('127.0.0.1');
    expect(own.management).toMatchObject({ host: '127.0.0.1', port: 9100 });
  });

  it('turns docs off in production unless DOCS_ENABLED=true', () => {
    // Act
    const production = loadConfig(minimalEnv(PRODUCTION));
    const enabled = loadConfig(minimalEnv({ ...PRODUCTION, DOCS_ENABLED: 'true' }));
    const disabled = loadConfig(minimalEnv({ DOCS_ENABLED: 'false' }));

    // Assert
    expect(production.management.docsEnabled).toBe(false);
    expect(enabled.management.docsEnabled).toBe(true);
    expect(disabled.management.docsEnabled).toBe(false);
  });

  it('refuses the API’s own port on the same host, and accepts it on another host', () => {
    // Act
    const problems = problemsOf(minimalEnv({ PORT: '8080', MANAGEMENT_PORT: '8080' }));
    const otherHost = loadConfig(
      minimalEnv({ PORT: '8080', MANAGEMENT_PORT: '8080', MANAGEMENT_HOST: '127.0.0.1' }),
    );
    const bothAny = loadConfig(minimalEnv({ PORT: '0', MANAGEMENT_PORT: '0' }));

    // Assert
    expect(problems).toEqual([
      'MANAGEMENT_PORT must differ from PORT: metrics and docs stay off the API port',
    ]);
    expect(otherHost.management.port).toBe(8080);
    expect(bothAny.management.port).toBe(0);
  });

  it('refuses a port out of range and a DOCS_ENABLED that is not true or false', () => {
    // Act
    const problems = problemsOf(minimalEnv({ MANAGEMENT_PORT: '70000', DOCS_ENABLED: 'yes' }));

    // Assert
    expect(problems).toEqual([
      'MANAGEMENT_PORT must be an integer from 0 to 65535 (got "70000")',
      'DOCS_ENABLED must be true or false (got "yes")',
    ]);
  });
});

describe('loadConfig tracing (OTEL_*)', () => {
  it('is off when no OTEL_* variable is set', () => {
    // Act
    const config = loadConfig(minimalEnv());

    // Assert
    expect(config.tracing).toBeNull();
  });

  it('turns on with OTEL_EXPORTER_OTLP_ENDPOINT, posting to its /v1/traces', () => {
    // Act
    const config = loadConfig(minimalEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }));
    const slash = loadConfig(
      minimalEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example/prefix/' }),
    );

    // Assert
    expect(config.tracing).toEqual({
      endpoint: 'http://collector:4318/v1/traces',
      headers: {},
      serviceName: 'kona-bff',
      resourceAttributes: {},
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
    });
    expect(slash.tracing?.endpoint).toBe('https://otel.example/prefix/v1/traces');
  });

  it('uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, over the general endpoint', () => {
    // Act
    const config = loadConfig(
      minimalEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom',
      }),
    );

    // Assert
    expect(config.tracing?.endpoint).toBe('http://traces:4318/custom');
  });

  it('turns on with OTEL_TRACES_EXPORTER=otlp alone, to the default localhost:4318', () => {
    // Act
    const config = loadConfig(minimalEnv({ OTEL_TRACES_EXPORTER: 'otlp' }));

    // Assert
    expect(config.tracing?.endpoint).toBe('http://localhost:4318/v1/traces');
  });

  it('stays off with OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true, whatever else is set', () => {
    // Arrange
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };

    // Act
    const none = loadConfig(minimalEnv({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }));
    const disabled = loadConfig(
      minimalEnv({ ...endpoint, OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }),
    );
    const notDisabled = loadConfig(minimalEnv({ ...endpoint, OTEL_SDK_DISABLED: 'false' }));

    // Assert
    expect(none.tracing).toBeNull();
    expect(disabled.tracing).toBeNull();
    expect(notDisabled.tracing).not.toBeNull();
  });

  it('reads headers, resource attributes, the service name and the sampler', () => {
    // Act
    const config = loadConfig(
      minimalEnv({
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-team = cards ,',
        OTEL_RESOURCE_ATTRIBUTES: 'service.name=ignored,deployment.environment.name=prod%2Deu',
        OTEL_SERVICE_NAME: 'kona-bff-eu',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }),
    );

    // Assert
    expect(config.tracing).toMatchObject({
      headers: { authorization: 'Bearer abc', 'x-team': 'cards' },
      resourceAttributes: { 'service.name': 'ignored', 'deployment.environment.name': 'prod-eu' },
      serviceName: 'kona-bff-eu',
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
    });
  });

  it('takes service.name from OTEL_RESOURCE_ATTRIBUTES when OTEL_SERVICE_NAME is unset', () => {
    // Act
    const config = loadConfig(
      minimalEnv({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_RESOURCE_ATTRIBUTES: 'service.name=bff' }),
    );

    // Assert
    expect(config.tracing?.serviceName).toBe('bff');
  });

  it('names every bad OTEL_* variable, echoing no header value', () => {
    // Act
    const problems = problemsOf(
      minimalEnv({
        OTEL_SDK_DISABLED: 'yes',
        OTEL_TRACES_EXPORTER: 'jaeger',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'api-key-without-equals-s3cr3t',
        OTEL_RESOURCE_ATTRIBUTES: 'bad%zz=x=%E0%A4%A',
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_TRACES_SAMPLER_ARG: '1.5',
      }),
    );

    // Assert
    expect(problems).toEqual([
      'OTEL_SDK_DISABLED must be true or false (got "yes")',
      'OTEL_TRACES_EXPORTER must be one of otlp, none (got "jaeger")',
      'OTEL_EXPORTER_OTLP_ENDPOINT must use the scheme http: or https: (got ftp:)',
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must use the scheme http: or https: (got collector:)',
      'OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf, the only OTLP protocol the gateway exports with (got "grpc")',
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL must be http/protobuf, the only OTLP protocol the gateway exports with (got "http/json")',
      'OTEL_EXPORTER_OTLP_HEADERS must be a comma-separated list of key=value (values percent-encoded)',
      'OTEL_RESOURCE_ATTRIBUTES must be a comma-separated list of key=value (values percent-encoded)',
      expect.stringMatching(
        /^OTEL_TRACES_SAMPLER must be one of always_on, .*\(got "sometimes"\)$/,
      ),
      'OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (got "1.5")',
    ]);
    expect(problems.join('\n')).not.toContain('s3cr3t');
  });

  it('treats OTEL_EXPORTER_OTLP_HEADERS as a secret, readable from its _FILE', () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'kbff-otel-'));
    const file = join(dir, 'headers');
    writeFileSync(file, 'authorization=Bearer%20from-a-file\n');

    try {
      // Act
      const config = loadConfig(
        minimalEnv({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_HEADERS_FILE: file }),
      );

      // Assert
      expect(SECRET_KEYS).toContain('OTEL_EXPORTER_OTLP_HEADERS');
      expect(config.tracing?.headers).toEqual({ authorization: 'Bearer from-a-file' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
