import type { RunningSandbox } from '../sandbox/sandbox.server';
import { callGateway, PAR } from '../support/gateway';

export const LIMITS_PATH = `/v1/me/cards/${PAR}/limits`;
export const REGISTRATION_PATH = '/v1/me/real-name-registration';
export const LIMITS = { perTransaction: 100_000, daily: 500_000, monthly: 3_000_000 };

export type GatewayAnswer = Awaited<ReturnType<typeof callGateway>>;

/** PUT /v1/me/cards/:par/limits as the app sends it. */
export function putLimits(
  gateway: { url: string },
  token: string,
  key: string,
  body: unknown = LIMITS,
): Promise<GatewayAnswer> {
  return callGateway(gateway, 'PUT', LIMITS_PATH, { token, key, body });
}

/** The KONA calls the sandbox received for one member. */
export function konaCalls(sandbox: RunningSandbox, member: string) {
  return sandbox.calls.list({ userId: member });
}

/**
 * Sorts the answers to requests sharing one key: fresh 200s, replayed 200s, 409 in-use, and
 * anything else (which a test expects to be empty).
 */
export function classify(answers: GatewayAnswer[]): {
  fresh: GatewayAnswer[];
  replays: GatewayAnswer[];
  inUse: GatewayAnswer[];
  other: GatewayAnswer[];
} {
  const fresh: GatewayAnswer[] = [];
  const replays: GatewayAnswer[] = [];
  const inUse: GatewayAnswer[] = [];
  const other: GatewayAnswer[] = [];
  for (const answer of answers) {
    if (answer.status === 409 && answer.body.code === 'IDEMPOTENCY_KEY_IN_USE') inUse.push(answer);
    else if (answer.status === 200 && answer.headers.get('idempotent-replayed') === 'true')
      replays.push(answer);
    else if (answer.status === 200 && answer.headers.get('idempotent-replayed') === null)
      fresh.push(answer);
    else other.push(answer);
  }
  return { fresh, replays, inUse, other };
}
