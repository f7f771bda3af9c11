/**
 * PAR-like and token-like values never reach the log of `node dist/main.js`, whatever the path's
 * case or encoding and whichever field they travel in: the variants are sent and the output grepped.
 */
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { GatewayProcess } from '../ops/gateway-process';
import { startGatewayProcess } from '../ops/gateway-process';
import { PAR, gatewayEnv, newKey, newMember, tokenFor } from '../support/gateway';
import { openRaw } from './raw-socket';

const encode = (text: string) =>
  [...text].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('');
/** The middle of the PAR, which no masked form shows. */
const HIDDEN = PAR.slice(4, -4);

describe('masking in the log (node dist/main.js, LOG_LEVEL=trace)', () => {
  let sandbox: RunningSandbox;
  let gateway: GatewayProcess;
  let output: string;
  let token: string;
  const variants: [string, string][] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    gateway = await startGatewayProcess(gatewayEnv(sandbox.url, { LOG_LEVEL: 'trace' }));
    token = await tokenFor(newMember());
    const limits = JSON.stringify({ perTransaction: 100, daily: 200, monthly: 300 });
    const paths: Record<string, string> = {
      'the card path': `/v1/me/cards/${PAR}/limits`,
      'an upper-case path': `/V1/ME/CARDS/${PAR}/LIMITS`,
      'a mixed-case path': `/v1/Me/Cards/${PAR}/Status`,
      'a lower-case PAR': `/v1/me/cards/${PAR.toLowerCase()}/limits`,
      'a percent-encoded PAR': `/v1/me/cards/${encode(PAR)}/limits`,
      'an encoded path': encode(`/v1/me/cards/${PAR}/limits`).replace(/%2F/g, '/'),
      'a double-encoded PAR': `/v1/me/cards/${encode(PAR).replace(/%/g, '%25')}/limits`,
      'a PAR elsewhere in the path': `/v1/${PAR}/x`,
      'a PAR in the query': `/v1/me/cards?par=${PAR}`,
      'a token in the path': `/v1/me/cards/${token}/limits`,
      'a bearer token in the path': `/v1/Bearer%20${token}`,
    };
    for (const [name, path] of Object.entries(paths)) {
      variants.push([name, path]);
      for (const method of ['PUT', 'GET']) {
        const response = await fetch(`${gateway.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            'idempotency-key': newKey(),
            'content-type': 'application/json',
          },
          body: method === 'PUT' ? limits : undefined,
        });
        await response.text();
      }
    }
    // In headers that reach the log only through the request context.
    const headers: Record<string, string> = {
      'x-request-id': PAR,
      traceparent: `00-${PAR}00000-00f067aa0ba902b7-01`,
      tracestate: `vendor=${PAR},other=${token}`,
    };
    for (const [name, value] of Object.entries(headers)) {
      variants.push([`a PAR in ${name}`, value]);
      const response = await fetch(`${gateway.url}/v1/nowhere`, { headers: { [name]: value } });
      await response.text();
    }
    // A bad URL Fastify refuses itself, and a request Node's parser refuses.
    const bad = await fetch(`${gateway.url}/v1/me/cards/${PAR}%zz/limits`, { method: 'PUT' });
    await bad.text();
    await openRaw(gateway.port, `GET /v1/me/cards/${PAR} HTTP/1.1\r\nHost: x\r\nBad header\r\n\r\n`)
      .closed;

    await gateway.stop();
    output = gateway.stdout() + gateway.stderr();
  }, 30_000);

  afterAll(async () => {
    await gateway?.stop();
    await sandbox?.close();
  });

  it('logged every variant (the check below is not vacuous)', () => {
    const lines = output.split('\n').filter((line) => line.includes('"status"'));
    expect(lines.length).toBeGreaterThanOrEqual(variants.length);
    expect(output).toContain(`${PAR.slice(0, 4)}…${PAR.slice(-4)}`);
  });

  it('never writes the PAR, in any case or encoding', () => {
    const leaks = output
      .split('\n')
      .filter(
        (line) =>
          line.toUpperCase().includes(HIDDEN.toUpperCase()) || line.includes(encode(HIDDEN)),
      );
    expect(leaks).toEqual([]);
  });

  it('never writes a bearer token or any part of it', () => {
    const [header, payload, signature] = token.split('.');
    const leaks = output
      .split('\n')
      .filter((line) => [header, payload, signature].some((part) => line.includes(part)));
    expect(leaks).toEqual([]);
  });
});
