/**
 * The gateway reaches KONA over TLS with Node's CA store, NODE_EXTRA_CA_CERTS included (the
 * chart's way to trust a corporate CA): undici does not bring a CA list of its own. Run as
 * production runs it, `node dist/main.js`, in front of a TLS terminator for the sandbox whose
 * certificate only that extra CA file vouches for.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { selfSignedCertificate } from '../../src/testing/loopback';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import { gatewayEnv, newMember } from '../support/gateway';
import { expectProblem, updateLimits } from '../api/mobile-api';
import { konaCalls } from '../idempotency/idempotent-calls';
import type { GatewayProcess } from '../ops/gateway-process';
import { startGatewayProcess } from '../ops/gateway-process';

let sandbox: RunningSandbox;
let terminator: Server;
let kona: string;
let dir: string;
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
  terminator = createServer(selfSignedCertificate(), (tls) => {
    const plain = connect(sandbox.port, '127.0.0.1');
    tls.pipe(plain).pipe(tls);
    tls.on('error', () => plain.destroy());
    plain.on('error', () => tls.destroy());
  });
  await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve));
  kona = `https://127.0.0.1:${(terminator.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'kbff-ca-'));
  writeFileSync(join(dir, 'ca.pem'), selfSignedCertificate().cert);
});

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  await new Promise((resolve) => terminator?.close(resolve));
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function gateway(extra: Record<string, string>): Promise<GatewayProcess> {
  const started = await startGatewayProcess(gatewayEnv(kona, extra));
  gateways.push(started);
  return started;
}

it('trusts a KONA certificate signed by a CA from NODE_EXTRA_CA_CERTS', async () => {
  const member = newMember();
  const trusting = await gateway({ NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') });

  const answer = await updateLimits(trusting, member);

  expect(answer.status).toBe(200);
  expect(konaCalls(sandbox, member)).toHaveLength(1);
});

it('refuses that certificate without it: nothing reaches KONA', async () => {
  const member = newMember();
  const plain = await gateway({});

  const answer = await updateLimits(plain, member);

  expectProblem(answer, 502, 'UPSTREAM_ERROR');
  expect(konaCalls(sandbox, member)).toEqual([]);
});
