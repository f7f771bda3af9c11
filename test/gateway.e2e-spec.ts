import type { RunningSandbox } from './sandbox/sandbox.server';
import type { RunningGateway } from './support/gateway';
import { callGateway, newKey, newMember, tokenFor } from './support/gateway';
import { useStack } from './support/stack';

const CORRELATION_ID = /^\d{12}-[0-9a-f]{7}$/;

describe('the two mobile endpoints against the strict KONA sandbox', () => {
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;

  useStack((started) => ({ sandbox, gateway } = started));

  it('registers a real name with every KONA header and token valid', async () => {
    const member = newMember();
    const answer = await callGateway(gateway, 'POST', '/v1/me/real-name-registration', {
      token: await tokenFor(member),
      key: newKey(),
      body: { identityVerified: true },
    });

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ realNameRegistered: true });
    const [call] = sandbox.calls.list({ userId: member });
    expect(call).toMatchObject({
      path: '/api/v1/user/namedcard',
      tokenValid: true,
      httpStatus: 200,
    });
    expect(call.rejected).toBeUndefined();
    expect(JSON.parse(call.rawBody)).toEqual({ userId: Number(member), isCheckNamedYn: 'Y' });
    expect(answer.headers.get('x-correlation-id')).toMatch(CORRELATION_ID);
    expect(answer.headers.get('x-correlation-id')).toBe(call.correlationId);
  });
});
