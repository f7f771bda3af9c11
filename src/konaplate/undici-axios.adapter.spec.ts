/**
 * What the undici adapter keeps of axios' Node adapter, over real loopback servers: the exact
 * bytes signed are the bytes sent, keep-alive, one deadline for a slow-drip answer, the 1 MiB
 * answer limit, no redirects, TLS verified against the trusted CAs.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Seen } from '../testing/loopback';
import { closeAll, kona, konaTls, selfSignedCertificate } from '../testing/loopback';
import { failure, post, transportFor } from '../testing/kona-transport.testing';
import { MAX_ANSWER_BYTES } from './kona-axios.config';

afterEach(closeAll);

const seen = (): Seen => ({ connections: 0, requests: 0 });

describe('the undici adapter under axios', () => {
  it('sends the signed string as it is, with its headers, and reuses one socket', async () => {
    // Arrange: a body with non-ASCII text, whose UTF-8 length differs from its string length.
    const counts = seen();
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const { url } = await kona(counts, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        counts.requests += 1;
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.end('{"code":"000_000","description":"성공"}');
      });
    });
    const transport = await transportFor(url);
    const body = '{"userId":1,"memo":"실명 등록"}';

    // Act: one after another, as a quiet gateway sends them.
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(
        await transport.post({ path: '/api/x', body, headers: { 'X-KM-A': 'a' }, timeoutMs: 1000 }),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    // Assert
    expect(answers.map((a) => a.text)).toEqual(
      Array(3).fill('{"code":"000_000","description":"성공"}'),
    );
    expect(received.map((r) => r.body)).toEqual([body, body, body]);
    expect(received[0].headers).toMatchObject({
      'x-km-a': 'a',
      'content-length': String(Buffer.byteLength(body)),
      'accept-encoding': 'identity',
    });
    expect(counts).toEqual({ connections: 1, requests: 3 });
  });

  it('ends a slow-drip answer at the deadline: timeout, written, socket closed', async () => {
    // Arrange: headers at once, then a byte every 50 ms, forever.
    const counts = seen();
    let closed = false;
    const { url } = await kona(counts, (req, res) => {
      counts.requests += 1;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      const drip = setInterval(() => res.write(' '), 50);
      res.on('close', () => {
        closed = true;
        clearInterval(drip);
      });
    });
    const transport = await transportFor(url);

    // Act
    const started = Date.now();
    const failed = await failure(post(transport, '{"userId":1}', 300));

    // Assert
    expect(failed).toMatchObject({ kind: 'timeout', requestWritten: true });
    expect(Date.now() - started).toBeLessThan(1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
  });

  it.each([
    ['declared in Content-Length', true],
    ['chunked, counted as it arrives', false],
  ])('refuses an answer over 1 MiB (%s): not an answer, written', async (_, declared) => {
    // Arrange
    const { url } = await kona(seen(), (req, res) => {
      req.resume();
      const big = Buffer.alloc(MAX_ANSWER_BYTES + 1, 'a');
      if (declared) res.setHeader('content-length', big.length);
      res.end(big);
    });
    const transport = await transportFor(url);

    // Act
    const failed = await failure(post(transport));

    // Assert
    expect(failed).toMatchObject({ kind: 'other', requestWritten: true });
    expect(failed.message).toContain('maxContentLength');
  });

  it('reads an answer of exactly 1 MiB', async () => {
    const { url } = await kona(seen(), (req, res) => {
      req.resume();
      res.end(Buffer.alloc(MAX_ANSWER_BYTES, 'a'));
    });
    const transport = await transportFor(url);

    const answer = await post(transport);

    expect(answer.text).toHaveLength(MAX_ANSWER_BYTES);
  });

  it('does not follow a redirect: a 302 is the answer', async () => {
    // Arrange
    const counts = seen();
    const { url } = await kona(counts, (req, res) => {
      counts.requests += 1;
      req.resume();
      res.writeHead(302, { location: '/elsewhere' }).end();
    });
    const transport = await transportFor(url);

    // Act
    const answer = await post(transport);

    // Assert
    expect(answer.status).toBe(302);
    expect(counts.requests).toBe(1);
  });

  it('speaks TLS to a server its CAs trust', async () => {
    const { url } = await konaTls(seen());
    const transport = await transportFor(url, { ca: selfSignedCertificate().cert });

    const answer = await post(transport);

    expect(answer).toEqual({ status: 200, text: '{"code":"000_000"}' });
  });

  it('refuses a certificate no trusted CA signed, before anything of the request is sent', async () => {
    // Arrange: Node's default store, which does not hold this run's self-signed certificate.
    const counts = seen();
    const { url } = await konaTls(counts);
    const transport = await transportFor(url);

    // Act
    const failed = await failure(post(transport));

    // Assert: the handshake failed, so the request never reached a connection.
    expect(failed).toMatchObject({ kind: 'other', requestWritten: false });
    expect(failed.message).toMatch(/self[- ]signed/i);
    expect(counts.requests).toBe(0);
  });
});
