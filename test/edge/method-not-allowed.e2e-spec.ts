/**
 * A known path with a wrong method answers 405 with Allow; the table of methods comes from the
 * operation descriptors (and the probe routes), never retyped here. Metrics and docs are on the
 * management port (test/ops/management.e2e-spec.ts).
 */
import { KONA_OPERATIONS } from '../../src/konaplate/operations/kona-operations';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import { PAR, gatewayEnv, startGateway } from '../support/gateway';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Every served path with its methods: the descriptors' routes, plus the operational ones. */
const SERVED: [string, string[]][] = [
  ...KONA_OPERATIONS.map((op): [string, string[]] => [
    op.route.path.replace(':par', PAR),
    op.route.method === 'GET' ? ['GET', 'HEAD'] : [op.route.method],
  ]),
  ['/health/live', ['GET', 'HEAD']],
  ['/health/ready', ['GET', 'HEAD']],
];

describe('405 Method Not Allowed', () => {
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    gateway = await startGateway(gatewayEnv(sandbox.url));
  });

  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
  });

  const wrong = SERVED.flatMap(([path, allowed]) =>
    METHODS.filter((m) => !allowed.includes(m)).map((method) => [method, path, allowed] as const),
  );

  it.each(wrong)(
    '%s %s answers 405 with Allow, before reading any body',
    async (method, path, allowed) => {
      const response = await fetch(`${gateway.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' || method === 'HEAD' ? undefined : '{"any":"thing"}',
      });
      const text = await response.text();

      expect(response.status).toBe(405);
      expect(response.headers.get('allow')?.split(', ').sort()).toEqual([...allowed].sort());
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.headers.get('x-request-id')).toBeTruthy();
      // A HEAD answer has no body.
      expect(
        method === 'HEAD'
          ? {
              status: 405,
              code: 'METHOD_NOT_ALLOWED',
              requestId: response.headers.get('x-request-id'),
            }
          : JSON.parse(text),
      ).toMatchObject({
        status: 405,
        code: 'METHOD_NOT_ALLOWED',
        requestId: response.headers.get('x-request-id'),
      });
    },
  );

  it.each(['/v1/me/cards/x/nothing', '/V1/ME/CARDS', '/v1/me/real-name-registration/extra'])(
    'still answers 404 on a path nothing serves (%s)',
    async (path) => {
      const response = await fetch(`${gateway.url}${path}`, { method: 'DELETE' });
      const body = (await response.json()) as { code: string };

      expect(response.status).toBe(404);
      expect(response.headers.get('allow')).toBeNull();
      expect(body.code).toBe('NOT_FOUND');
    },
  );
});
