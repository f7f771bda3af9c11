import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOpenApiJson } from '../../src/openapi/openapi-export';
import type { RunningGateway } from '../support/gateway';
import { callGateway, gatewayEnv, startGateway } from '../support/gateway';

const COMMITTED = join(__dirname, '..', '..', 'openapi.json');

/** The mobile API of issue 2: exactly these routes, each with exactly this method. */
const ROUTES = {
  '/v1/me/real-name-registration': 'post',
  '/v1/me/cards/{par}/limits': 'put',
} as const;

/**
 * Every problem status of the Errors tables (issue 2, plus issue 3's 409, 422 and 429): both routes
 * can answer each of them, since auth, validation, the key and the upstream apply to both.
 */
const PROBLEM_STATUSES = [
  '400',
  '401',
  '404',
  '409',
  '413',
  '415',
  '422',
  '429',
  '500',
  '502',
  '503',
  '504',
];

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
  'INVALID_INPUT',
  'UPSTREAM_ERROR',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'STORE_UNAVAILABLE',
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
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    securitySchemes: Record<string, { type?: string; scheme?: string }>;
  };
}

describe('the OpenAPI description served at /docs and /docs-json', () => {
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
    const answer = await callGateway(gateway, 'GET', '/docs-json');
    expect(answer.status).toBe(200);
    doc = answer.body as unknown as Document;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('serves Swagger UI as HTML at /docs', async () => {
    const answer = await callGateway(gateway, 'GET', '/docs');

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toContain('swagger-ui');
  });

  it('serves the document as JSON at /docs-json', async () => {
    const answer = await callGateway(gateway, 'GET', '/docs-json');

    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(doc.openapi).toMatch(/^3\./);
  });

  it('describes exactly the two mobile routes, each with its one method', () => {
    const described = Object.fromEntries(
      Object.entries(doc.paths).map(([path, item]) => [path, Object.keys(item)]),
    );

    expect(described).toEqual({
      '/v1/me/real-name-registration': ['post'],
      '/v1/me/cards/{par}/limits': ['put'],
    });
  });

  it('requires bearer authorization on both routes', () => {
    const schemes = Object.entries(doc.components.securitySchemes)
      .filter(([, scheme]) => scheme.type === 'http' && scheme.scheme === 'bearer')
      .map(([name]) => name);

    expect(schemes).toHaveLength(1);
    for (const { op } of operations()) expect(op.security).toEqual([{ [schemes[0]]: [] }]);
  });

  it('requires the Idempotency-Key header on both routes', () => {
    for (const { path, op } of operations()) {
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

  it('answers every status of the Errors table as application/problem+json with the problem schema', () => {
    for (const { path, op } of operations()) {
      const problems = Object.entries(op.responses)
        .filter(([status]) => status !== '200')
        .map(([status, response]) => ({
          status,
          types: Object.keys(response.content ?? {}),
          schema: response.content?.['application/problem+json']?.schema?.$ref,
        }));

      expect({ path, statuses: problems.map((p) => p.status).sort() }).toEqual({
        path,
        statuses: [...PROBLEM_STATUSES].sort(),
      });
      const problemRef = problems[0].schema;
      for (const problem of problems) {
        expect({ path, ...problem }).toEqual({
          path,
          status: problem.status,
          types: ['application/problem+json'],
          schema: problemRef,
        });
      }
    }
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

  it('documents X-Correlation-Id and Idempotent-Replayed on the success answer', () => {
    for (const { path, op } of operations()) {
      expect({ path, headers: Object.keys(op.responses['200'].headers ?? {}) }).toEqual({
        path,
        headers: expect.arrayContaining(['X-Correlation-Id', 'Idempotent-Replayed']) as unknown,
      });
      expect(op.responses['200'].content).toHaveProperty(['application/json']);
    }
  });

  it('documents Idempotent-Replayed on every status a replayed answer can have', () => {
    // Definitive KONA answers are stored and replayed (issue 3, behaviour 4): success, the
    // mapped business codes (000_002 → 400, 001_006 → 404, 003_024/011_001 → 422) and an
    // unknown code (→ 502), each replayed with Idempotent-Replayed: true.
    for (const { path, op } of operations()) {
      const replayable = ['200', '400', '404', '422', '502'].map((status) => ({
        status,
        replayed: Object.keys(op.responses[status].headers ?? {}).includes('Idempotent-Replayed'),
      }));

      expect({ path, replayable }).toEqual({
        path,
        replayable: replayable.map(({ status }) => ({ status, replayed: true })),
      });
    }
  });

  it('documents X-Correlation-Id on upstream failures and Retry-After where a retry is due', () => {
    const expected: Record<string, string[]> = {
      '404': ['X-Correlation-Id', 'Idempotent-Replayed'],
      '409': ['Retry-After'],
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
