import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOpenApiJson } from '../../src/openapi/openapi-export';
import type { RunningGateway } from '../support/gateway';
import { callGateway, gatewayEnv, managementOf, startGateway } from '../support/gateway';

const COMMITTED = join(__dirname, '..', '..', 'openapi.json');

/** The mobile API: exactly these routes, each with exactly this method. */
const ROUTES = {
  '/v1/me/real-name-registration': 'post',
  '/v1/me/cards': 'get',
  '/v1/me/cards/{par}/limits': 'put',
  '/v1/me/cards/{par}/status': 'put',
} as const;
const MUTATING = [
  '/v1/me/real-name-registration',
  '/v1/me/cards/{par}/limits',
  '/v1/me/cards/{par}/status',
];

/** What any request can be answered with, whatever the route (auth, limits, upstream, framing). */
const EVERY_ROUTE = [
  'BAD_REQUEST',
  'HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'RATE_LIMITED',
  'STORE_UNAVAILABLE',
  'UPSTREAM_ERROR',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'INTERNAL',
];
const WITH_BODY = ['MALFORMED_BODY', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];
const WITH_KEY = [
  'IDEMPOTENCY_KEY_MISSING',
  'IDEMPOTENCY_KEY_INVALID',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_USE',
];

/**
 * Exactly the codes each route can answer with, written out from KONA's API pages (each route's
 * own KONA codes) rather than read from the descriptors under test.
 */
const ROUTE_CODES: Record<keyof typeof ROUTES, string[]> = {
  '/v1/me/real-name-registration': [
    ...EVERY_ROUTE,
    ...WITH_BODY,
    ...WITH_KEY,
    'WALLET_USER_NOT_FOUND',
    'IDENTITY_VERIFICATION_REQUIRED',
  ],
  '/v1/me/cards': [...EVERY_ROUTE, 'ENCRYPTION_NOT_CONFIGURED', 'WALLET_USER_NOT_FOUND'],
  '/v1/me/cards/{par}/limits': [
    ...EVERY_ROUTE,
    ...WITH_BODY,
    ...WITH_KEY,
    'INVALID_INPUT',
    'WALLET_USER_NOT_FOUND',
    'ACCOUNT_NOT_LINKED',
  ],
  '/v1/me/cards/{par}/status': [
    ...EVERY_ROUTE,
    ...WITH_BODY,
    ...WITH_KEY,
    'INVALID_INPUT',
    'WALLET_USER_NOT_FOUND',
    'CARD_INVALID',
    'CARD_NOT_FOUND',
    'CARD_TERMINATED',
  ],
};

/** The HTTP status of each code (the README's Errors table), written out here. */
const STATUS_OF: Record<string, string> = {
  BAD_REQUEST: '400',
  HEADERS_TOO_LARGE: '431',
  REQUEST_TIMEOUT: '408',
  VALIDATION_FAILED: '400',
  UNAUTHENTICATED: '401',
  RATE_LIMITED: '429',
  STORE_UNAVAILABLE: '503',
  UPSTREAM_ERROR: '502',
  UPSTREAM_TIMEOUT: '504',
  UPSTREAM_UNAVAILABLE: '503',
  INTERNAL: '500',
  MALFORMED_BODY: '400',
  PAYLOAD_TOO_LARGE: '413',
  UNSUPPORTED_MEDIA_TYPE: '415',
  IDEMPOTENCY_KEY_MISSING: '400',
  IDEMPOTENCY_KEY_INVALID: '400',
  IDEMPOTENCY_KEY_REUSED: '422',
  IDEMPOTENCY_KEY_IN_USE: '409',
  ENCRYPTION_NOT_CONFIGURED: '503',
  WALLET_USER_NOT_FOUND: '404',
  IDENTITY_VERIFICATION_REQUIRED: '422',
  INVALID_INPUT: '400',
  ACCOUNT_NOT_LINKED: '422',
  CARD_INVALID: '422',
  CARD_NOT_FOUND: '404',
  CARD_TERMINATED: '409',
};

/** Error codes of the Errors tables that the problem schema's `code` must be able to carry. */
const ERROR_CODES = [
  'UNAUTHENTICATED',
  'VALIDATION_FAILED',
  'MALFORMED_BODY',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'IDEMPOTENCY_KEY_MISSING',
  'IDEMPOTENCY_KEY_INVALID',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_USE',
  'WALLET_USER_NOT_FOUND',
  'IDENTITY_VERIFICATION_REQUIRED',
  'ACCOUNT_NOT_LINKED',
  'CARD_INVALID',
  'CARD_NOT_FOUND',
  'CARD_TERMINATED',
  'INVALID_INPUT',
  'UPSTREAM_ERROR',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'STORE_UNAVAILABLE',
  'ENCRYPTION_NOT_CONFIGURED',
  'NOT_FOUND',
  'INTERNAL',
];

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
interface Response {
  'x-problem-codes'?: string[];
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: Schema }>;
}
interface Operation {
  parameters?: Parameter[];
  security?: Record<string, string[]>[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses: Record<string, Response>;
}
interface Document {
  openapi: string;
  info: { license?: { name?: string; url?: string }; contact?: { name?: string } };
  servers?: { url: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    securitySchemes: Record<string, { type?: string; scheme?: string }>;
  };
}

describe('the OpenAPI description served at /docs and /docs-json (management port)', () => {
  let gateway: RunningGateway;
  let doc: Document;

  /** The schema a `$ref` (possibly wrapped in allOf) points to. */
  const resolve = (schema: Schema | undefined): Schema => {
    const ref = schema?.$ref ?? schema?.allOf?.[0]?.$ref;
    if (!ref) return schema ?? {};
    const name = ref.replace('#/components/schemas/', '');
    expect(doc.components.schemas).toHaveProperty([name]);
    return doc.components.schemas[name];
  };
  const operations = () =>
    Object.entries(ROUTES).map(([path, method]) => ({ path, op: doc.paths[path][method] }));

  beforeAll(async () => {
    gateway = await startGateway(gatewayEnv('http://127.0.0.1:9', { REDIS_URL: undefined }));
    const answer = await callGateway(managementOf(gateway), 'GET', '/docs-json');
    expect(answer.status).toBe(200);
    doc = answer.body as unknown as Document;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('serves Swagger UI as HTML at /docs', async () => {
    const answer = await callGateway(managementOf(gateway), 'GET', '/docs');

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toContain('swagger-ui');
  });

  it('serves the document as JSON at /docs-json', async () => {
    const answer = await callGateway(managementOf(gateway), 'GET', '/docs-json');

    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(doc.openapi).toMatch(/^3\./);
  });

  it('names one relative server (this gateway, whatever its host), a license and a contact', () => {
    expect(doc.servers).toEqual([
      { url: '/', description: expect.stringMatching(/gateway/) as unknown },
    ]);
    expect(doc.info.license).toEqual({ name: 'Proprietary' });
    expect(doc.info.contact?.name).toMatch(/\S/);
  });

  it('marks every integer bounded above 2^31 - 1 int64 (Kotlin Long), and no boolean an enum', () => {
    const integers: { where: string; format?: string }[] = [];
    const booleanEnums: string[] = [];
    const walk = (schema: unknown, where: string): void => {
      if (typeof schema !== 'object' || schema === null) return;
      const s = schema as Schema & { format?: string };
      if (s.type === 'integer' && s.maximum !== undefined && s.maximum > 2 ** 31 - 1) {
        integers.push({ where, format: s.format });
      }
      if (s.type === 'boolean' && s.enum) booleanEnums.push(where);
      for (const [key, value] of Object.entries(s)) walk(value, `${where}/${key}`);
    };
    walk(doc.components.schemas, '#/components/schemas');

    expect(integers.length).toBeGreaterThanOrEqual(8);
    expect(integers.filter(({ format }) => format !== 'int64')).toEqual([]);
    expect(booleanEnums).toEqual([]);
  });

  it('describes exactly the four mobile routes, each with its one method', () => {
    const described = Object.fromEntries(
      Object.entries(doc.paths).map(([path, item]) => [path, Object.keys(item)]),
    );

    expect(described).toEqual({
      '/v1/me/real-name-registration': ['post'],
      '/v1/me/cards': ['get'],
      '/v1/me/cards/{par}/limits': ['put'],
      '/v1/me/cards/{par}/status': ['put'],
    });
  });

  it('requires bearer authorization on every route', () => {
    const schemes = Object.entries(doc.components.securitySchemes)
      .filter(([, scheme]) => scheme.type === 'http' && scheme.scheme === 'bearer')
      .map(([name]) => name);

    expect(schemes).toHaveLength(1);
    for (const { op } of operations()) expect(op.security).toEqual([{ [schemes[0]]: [] }]);
  });

  it('requires the Idempotency-Key header on the mutating routes and on no other', () => {
    const read = doc.paths['/v1/me/cards'].get.parameters ?? [];
    expect(read.some((p) => p.name === 'Idempotency-Key')).toBe(false);
    for (const { path, op } of operations().filter(({ path }) => MUTATING.includes(path))) {
      const key = op.parameters?.find((p) => p.in === 'header' && p.name === 'Idempotency-Key');
      expect({ path, key }).toEqual({
        path,
        key: expect.objectContaining({
          required: true,
          schema: expect.objectContaining({ type: 'string' }) as unknown,
        }) as unknown,
      });
    }
  });

  it('describes the real-name registration body by reference, with its field required', () => {
    const body = doc.paths['/v1/me/real-name-registration'].post.requestBody;
    const ref = body?.content?.['application/json']?.schema;
    const schema = resolve(ref);

    expect(body?.required).toBe(true);
    expect(ref?.$ref).toMatch(/^#\/components\/schemas\//);
    expect(schema.properties?.identityVerified?.type).toBe('boolean');
    expect(schema.required).toEqual(['identityVerified']);
  });

  it('describes the card limits body by reference: three required integers from 0 to 9999999999', () => {
    const body = doc.paths['/v1/me/cards/{par}/limits'].put.requestBody;
    const ref = body?.content?.['application/json']?.schema;
    const schema = resolve(ref);
    const bounds = { type: 'integer', minimum: 0, maximum: 9_999_999_999 };

    expect(body?.required).toBe(true);
    expect(ref?.$ref).toMatch(/^#\/components\/schemas\//);
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual([
      'daily',
      'monthly',
      'perTransaction',
    ]);
    expect(schema.properties).toEqual({
      perTransaction: expect.objectContaining(bounds) as unknown,
      daily: expect.objectContaining(bounds) as unknown,
      monthly: expect.objectContaining(bounds) as unknown,
    });
    expect([...(schema.required ?? [])].sort()).toEqual(['daily', 'monthly', 'perTransaction']);
  });

  it('describes the PAR path parameter as exactly 27 letters and digits', () => {
    const par = doc.paths['/v1/me/cards/{par}/limits'].put.parameters?.find(
      (p) => p.in === 'path' && p.name === 'par',
    );

    expect(par).toMatchObject({ required: true });
    expect(par?.schema).toMatchObject({ type: 'string', minLength: 27, maxLength: 27 });
  });

  it('documents, per status, exactly the codes each route can answer with', () => {
    for (const { path, op } of operations()) {
      const documented = Object.entries(op.responses)
        .filter(([status]) => status !== '200')
        .flatMap(([status, response]) =>
          (response['x-problem-codes'] ?? []).map((code) => `${code} ${status}`),
        );
      const expected = ROUTE_CODES[path as keyof typeof ROUTES].map(
        (code) => `${code} ${STATUS_OF[code]}`,
      );

      expect({ path, codes: documented.sort() }).toEqual({ path, codes: expected.sort() });
    }
  });

  it('names every documented code in its answer description, with its KONA code', () => {
    const limits = doc.paths['/v1/me/cards/{par}/limits'].put.responses;
    const registration = doc.paths['/v1/me/real-name-registration'].post.responses;

    expect(JSON.stringify(limits['400'])).toContain('INVALID_INPUT (KONA 000_002)');
    expect(JSON.stringify(registration['400'])).not.toContain('INVALID_INPUT');
    for (const { op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (status === '200') continue;
        const text = (response as { description?: string }).description ?? '';
        for (const code of response['x-problem-codes'] ?? []) expect(text).toContain(code);
      }
    }
  });

  it('answers every problem status as application/problem+json with the one problem schema', () => {
    const refs = new Set<string | undefined>();
    for (const { path, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (status === '200') continue;
        expect({ path, status, types: Object.keys(response.content ?? {}) }).toEqual({
          path,
          status,
          types: ['application/problem+json'],
        });
        refs.add(response.content?.['application/problem+json']?.schema?.$ref);
      }
    }
    expect([...refs]).toHaveLength(1);
  });

  it('defines the problem schema with the RFC 9457 fields, the code and the extensions', () => {
    const refs = operations().map(
      ({ op }) => op.responses['400'].content?.['application/problem+json']?.schema,
    );
    const problem = resolve(refs[0]);
    const codes = resolve(problem.properties?.code).enum ?? problem.properties?.code?.enum;

    expect(Object.keys(problem.properties ?? {})).toEqual(
      expect.arrayContaining([
        'type',
        'title',
        'status',
        'detail',
        'code',
        'correlationId',
        'upstreamCode',
        'errors',
      ]),
    );
    expect(problem.required).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']),
    );
    expect(codes).toEqual(expect.arrayContaining(ERROR_CODES));
  });

  it('documents X-Correlation-Id on every success, Idempotent-Replayed on the mutating ones', () => {
    for (const { path, op } of operations()) {
      const headers = Object.keys(op.responses['200'].headers ?? {});
      expect({ path, correlation: headers.includes('X-Correlation-Id') }).toEqual({
        path,
        correlation: true,
      });
      expect({ path, replayed: headers.includes('Idempotent-Replayed') }).toEqual({
        path,
        replayed: MUTATING.includes(path),
      });
      expect(op.responses['200'].content).toHaveProperty(['application/json']);
    }
  });

  it("documents Cache-Control: private, no-store on the card list's answer", () => {
    const headers = doc.paths['/v1/me/cards'].get.responses['200'].headers ?? {};

    expect(headers).toHaveProperty(['Cache-Control']);
  });

  it('documents Idempotent-Replayed on every status a replayed answer can have', () => {
    // Success and the mapped KONA codes are stored and replayed (each route's KONA codes above).
    const replayable: Record<string, string[]> = {
      '/v1/me/real-name-registration': ['200', '404', '422'],
      '/v1/me/cards/{par}/limits': ['200', '400', '404', '422'],
      '/v1/me/cards/{par}/status': ['200', '400', '404', '409', '422'],
    };
    for (const [path, statuses] of Object.entries(replayable)) {
      const op = doc.paths[path].put ?? doc.paths[path].post;
      for (const status of statuses) {
        expect({ path, status, headers: Object.keys(op.responses[status].headers ?? {}) }).toEqual({
          path,
          status,
          headers: expect.arrayContaining(['Idempotent-Replayed']) as unknown,
        });
      }
    }
  });

  it('documents X-Correlation-Id on upstream failures and Retry-After where a retry is due', () => {
    const expected: Record<string, string[]> = {
      '404': ['X-Correlation-Id'],
      '429': ['Retry-After'],
      '502': ['X-Correlation-Id'],
      '503': ['X-Correlation-Id', 'Retry-After'],
      '504': ['X-Correlation-Id'],
    };
    for (const { path, op } of operations()) {
      for (const [status, headers] of Object.entries(expected)) {
        expect({ path, status, headers: Object.keys(op.responses[status].headers ?? {}) }).toEqual({
          path,
          status,
          headers: expect.arrayContaining(headers) as unknown,
        });
      }
    }
    for (const path of MUTATING) {
      const op = doc.paths[path].put ?? doc.paths[path].post;
      expect(Object.keys(op.responses['409'].headers ?? {})).toEqual(
        expect.arrayContaining(['X-Correlation-Id', 'Retry-After']),
      );
    }
  });
});

describe('the committed openapi.json', () => {
  it('is exactly what the app renders today', async () => {
    const rendered = await renderOpenApiJson();
    const committed = readFileSync(COMMITTED, 'utf8');

    expect(
      rendered === committed ? 'up to date' : 'openapi.json is stale: run `npm run openapi`',
    ).toBe('up to date');
  });
});
