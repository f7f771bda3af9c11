import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import { freePort } from '../support/free-port';
import type { RunningGateway } from '../support/gateway';
import { gatewayEnv, newKey, newMember, startGateway, tokenFor } from '../support/gateway';
import { konaCalls, putLimits } from './idempotent-calls';
import { waitFor } from './wait';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
const LEASE_MS = 2000;

/** Every variable set, none undefined: what a child process environment takes. */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Behaviour 6 of the idempotency issue: a gateway process dies in the middle of a KONA call; the
 * key stays held until its lease ends, then another instance takes it over with the SAME
 * correlation id, so KONA sees a retry of one transaction, not a second one.
 */
describe('a key whose holder was killed mid-call', () => {
  let sandbox: RunningSandbox;
  let holder: ChildProcess | undefined;
  let survivor: RunningGateway;
  let holderUrl: string;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    env = gatewayEnv(sandbox.url, {
      IDEMPOTENCY_LEASE_MS: String(LEASE_MS),
      KONAPLATE_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'silent',
    });
    const port = await freePort();
    holderUrl = `http://127.0.0.1:${port}`;
    holder = spawn(process.execPath, [MAIN], {
      env: childEnv({ ...env, PORT: String(port), HOST: '127.0.0.1' }),
      stdio: 'ignore',
    });
    // The survivor is up before the holder dies, so nothing but the lease decides the timing.
    survivor = await startGateway(env);
    await waitFor(
      'the holder process to be ready',
      () =>
        fetch(`${holderUrl}/health/ready`)
          .then((r) => r.status === 200)
          .catch(() => false),
      { timeoutMs: 15_000, intervalMs: 100 },
    );
  });

  afterAll(async () => {
    if (holder && holder.exitCode === null && holder.signalCode === null) {
      holder.kill('SIGKILL');
      await exited(holder);
    }
    await survivor?.close();
    await sandbox?.close();
  });

  it('is taken over after its lease, with the same correlation id, by another instance', async () => {
    const member = newMember();
    const token = await tokenFor(member);
    const key = newKey();
    sandbox.setFault({ mode: 'hang', userId: member });
    const lost = putLimits({ url: holderUrl }, token, key).then(
      () => 'answered',
      () => 'no answer',
    );
    const [first] = await waitFor('the holder to call KONA', () => {
      const calls = konaCalls(sandbox, member);
      return calls.length > 0 && calls;
    });
    holder!.kill('SIGKILL');
    await exited(holder!);
    expect(await lost).toBe('no answer');

    const during = await putLimits(survivor, token, key);
    sandbox.clearFaults();
    const after = await waitFor(
      'the lease to expire',
      async () => {
        const answer = await putLimits(survivor, token, key);
        return answer.status !== 409 && answer;
      },
      { timeoutMs: LEASE_MS + 3000, intervalMs: 100 },
    );

    expect([during.status, during.body.code]).toEqual([409, 'IDEMPOTENCY_KEY_IN_USE']);
    expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(after.status).toBe(200);
    expect(after.headers.get('idempotent-replayed')).toBeNull();
    const calls = konaCalls(sandbox, member);
    expect(calls).toHaveLength(2);
    const [, second] = calls;
    expect(second.correlationId).toBe(first.correlationId);
    expect(second.httpStatus).toBe(200);
    expect(after.headers.get('x-correlation-id')).toBe(first.correlationId);
    // The takeover waited for the lease, measured from the claim, a moment before the first call.
    expect(Date.parse(second.at) - Date.parse(first.at)).toBeGreaterThanOrEqual(LEASE_MS - 200);
    const metrics = await fetch(`${survivor.managementUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^idempotency_outcomes_total\{outcome="taken_over"\} 1$/m);

    const replay = await putLimits(survivor, token, key);

    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('x-correlation-id')).toBe(first.correlationId);
    expect(konaCalls(sandbox, member)).toHaveLength(2);
  });
});
