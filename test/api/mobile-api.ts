/**
 * What the API suites share: the two routes, valid requests, and the assertions every
 * problem+json answer must pass. Expected values are written out here, never read from src/.
 */
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { callGateway, type CallOptions, newKey, PAR, tokenFor } from '../support/gateway';

export const REGISTRATION = '/v1/me/real-name-registration';

export function limitsPath(par: string = PAR): string {
  return `/v1/me/cards/${par}/limits`;
}

/** KONA's transaction number: yyMMddHHmmss, a dash, 7 hex characters (20 characters). */
export const CORRELATION_ID = /^\d{12}-[0-9a-f]{7}$/;

export const VALID_LIMITS = { perTransaction: 300_000, daily: 1_000_000, monthly: 5_000_000 };

export type Answer = Awaited<ReturnType<typeof callGateway>>;

/** A registration as the app sends it: valid token for `member`, a fresh key, a valid body. */
export async function register(
  gateway: { url: string },
  member: string,
  options: CallOptions = {},
): Promise<Answer> {
  return callGateway(gateway, 'POST', REGISTRATION, {
    token: await tokenFor(member),
    key: newKey(),
    body: { identityVerified: true },
    ...options,
  });
}

/** A limits update as the app sends it: valid token for `member`, a fresh key, valid limits. */
export async function updateLimits(
  gateway: { url: string },
  member: string,
  options: CallOptions & { par?: string } = {},
): Promise<Answer> {
  const { par, ...rest } = options;
  return callGateway(gateway, 'PUT', limitsPath(par), {
    token: await tokenFor(member),
    key: newKey(),
    body: VALID_LIMITS,
    ...rest,
  });
}

/** No stack frame, source path or dependency name in what the app receives. */
export function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/(^|\s)at\s/);
  expect(text).not.toMatch(/[\\/][\w.-]+\.(ts|js|mjs|cjs)\b/);
  expect(text).not.toMatch(/node_modules|\/src\/|\/dist\//);
  expect(text).not.toMatch(/\b(TypeError|SyntaxError|ReferenceError|DomainError)\b/);
}

/** An RFC 9457 answer with the gateway's members, and nothing internal in it. */
export function expectProblem(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body.code }).toEqual({ status, code });
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  expect(answer.body).toEqual(
    expect.objectContaining({
      type: expect.stringMatching(/^\S+$/) as unknown,
      title: expect.stringMatching(/\S/) as unknown,
      status,
      detail: expect.stringMatching(/\S/) as unknown,
      code,
    }),
  );
  expectNoInternals(answer.text);
}

/**
 * A problem answer to a request that reached KONA: it names the transaction, in the body and in
 * X-Correlation-Id, and it is the transaction the sandbox saw for this member.
 */
export function expectUpstreamProblem(
  answer: Answer,
  status: number,
  code: string,
  sandbox: RunningSandbox,
  member: string,
): void {
  expectProblem(answer, status, code);
  expect(answer.body.correlationId).toMatch(CORRELATION_ID);
  expect(answer.headers.get('x-correlation-id')).toBe(answer.body.correlationId);
  const correlationIds = sandbox.calls.list({ userId: member }).map((call) => call.correlationId);
  expect(correlationIds).toContain(answer.body.correlationId);
}

/**
 * Runs `act` and proves it sent nothing to KONA: no call for `member`, and no call at all (each
 * suite owns its sandbox and runs its tests one after the other).
 */
export async function withoutReachingKona<T>(
  sandbox: RunningSandbox,
  member: string,
  act: () => Promise<T>,
): Promise<T> {
  const before = sandbox.calls.size;
  const result = await act();
  // A stray upstream call would be in flight already: give it a moment to land in the log.
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(sandbox.calls.list({ userId: member })).toEqual([]);
  expect(sandbox.calls.size).toBe(before);
  return result;
}
