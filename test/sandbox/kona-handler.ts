import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { LosslessNumber, stringify } from 'lossless-json';
import type { CallLogEntry } from './call-log';
import type { AppliedFault } from './faults';
import { headerSafe, MAX_BODY_BYTES, send, type RawBody } from './http-io';
import type { KonaEndpoint } from './kona-endpoints';
import { answerFor, INVALID_INPUT } from './members';
import type { SandboxContext } from './sandbox-context';
import { peekUserId, validateBody } from './validate-body';
import { readFacts, verifyRequest, type Rejection } from './verify-request';

/** Header carrying the exact rejection reason, so a failing gateway test can show it. */
export const REASON_HEADER = 'X-Sandbox-Reason';

const CORRELATION_ECHO = /^[\x20-\x7e]{1,100}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Answers one call to a KONA endpoint: records it, refuses it loudly if any header, the token or the
 * body is wrong, and otherwise gives the member's documented answer, through the fault that applies
 * to it. Refusals win over faults, so a broken gateway is never hidden behind a simulated outage.
 */
export function handleKona(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: KonaEndpoint,
  path: string,
  raw: RawBody,
): void {
  const text = raw.bytes.toString('utf8');
  const facts = readFacts(req.headers, raw.bytes, ctx.config.secretKey);
  const entry = ctx.calls.record({
    method: req.method ?? '?',
    path,
    correlationId: facts.correlationId,
    userId: peekUserId(text),
    rawBody: text,
    tranTime: facts.tranTime,
    timeZone: facts.timeZone,
    tokenValid: facts.tokenValid,
  });
  const echo: OutgoingHttpHeaders =
    facts.correlationId !== null && CORRELATION_ECHO.test(facts.correlationId)
      ? { 'X-KM-Correlation-Id': facts.correlationId }
      : {};

  const rejection = headerRejection(ctx, req, raw);
  if (rejection !== null) {
    const body = { code: rejection.code, description: `sandbox: ${rejection.reason}` };
    refuse(ctx, res, entry, rejection.status, body, rejection.reason, echo);
    return;
  }
  const check = validUtf8(raw.bytes)
    ? validateBody(endpoint, text)
    : { ok: false as const, reason: 'body is not valid UTF-8' };
  if (!check.ok) {
    const body = { code: INVALID_INPUT.code, description: INVALID_INPUT.description };
    refuse(ctx, res, entry, INVALID_INPUT.status, body, check.reason, echo);
    return;
  }

  const request = check.request;
  entry.userId = request.userId;
  const answer = answerFor(request);
  // stringify + LosslessNumber writes the id's own digits, even 19 of them, as a bare JSON number.
  const body =
    stringify(
      endpoint === 'namedcard' && answer.status === 200
        ? { ...codeOf(answer), userId: new LosslessNumber(request.userId) }
        : codeOf(answer),
    ) ?? '';
  const fault = ctx.faults.take(request.userId);
  if (fault === undefined) {
    ctx.later(ctx.config.latencyMs, () => {
      answerWith(res, entry, answer.status, body, echo);
    });
    return;
  }
  entry.fault = fault.mode;
  applyFault(ctx, req, res, entry, fault, answer.status, body, echo);
}

function headerRejection(
  ctx: SandboxContext,
  req: IncomingMessage,
  raw: RawBody,
): Rejection | null {
  if (raw.tooLarge) {
    return { status: 400, code: '999_400', reason: `body is larger than ${MAX_BODY_BYTES} bytes` };
  }
  return verifyRequest(req.method, req.headers, raw.bytes, ctx.config, ctx.config.now());
}

function refuse(
  ctx: SandboxContext,
  res: ServerResponse,
  entry: CallLogEntry,
  status: number,
  body: { code: string; description: string },
  reason: string,
  echo: OutgoingHttpHeaders,
): void {
  entry.rejected = reason;
  ctx.warn(
    `REJECTED ${entry.method} ${entry.path} #${entry.seq} ` +
      `correlation=${entry.correlationId ?? '-'} user=${entry.userId ?? '-'}: ${reason}`,
  );
  const headers = { ...echo, [REASON_HEADER]: headerSafe(reason) };
  ctx.later(ctx.config.latencyMs, () => {
    answerWith(res, entry, status, JSON.stringify(body), headers, body.code);
  });
}

function applyFault(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
  entry: CallLogEntry,
  fault: AppliedFault,
  status: number,
  body: string,
  echo: OutgoingHttpHeaders,
): void {
  const base = ctx.config.latencyMs;
  switch (fault.mode) {
    case 'hang':
      // Say nothing; the socket stays open until the client gives up or close() destroys it.
      return;
    case 'reset':
      req.socket.destroy();
      return;
    case 'latency':
      ctx.later(base + fault.latencyMs, () => {
        answerWith(res, entry, status, body, echo);
      });
      return;
    case '5xx':
      // Shaped like a load balancer's error page: HTML, no KONA envelope, no correlation echo.
      ctx.later(base, () => {
        entry.httpStatus = fault.status;
        send(res, fault.status, '<html>upstream error</html>', {}, 'text/html; charset=utf-8');
      });
      return;
    case 'malformed':
      ctx.later(base, () => {
        entry.httpStatus = 200;
        // Cut inside the result code: valid JSON up to there, then the connection's answer ends.
        send(res, 200, `{"code":"${(codeIn(body) ?? '000_000').slice(0, 5)}`, echo);
      });
      return;
    case 'drip':
      ctx.later(base, () => {
        drip(ctx, res, entry, status, body, echo, fault.latencyMs);
      });
      return;
  }
}

/** Sends the KONA answer and completes the call-log entry. */
function answerWith(
  res: ServerResponse,
  entry: CallLogEntry,
  status: number,
  body: string,
  headers: OutgoingHttpHeaders,
  code = codeIn(body),
): void {
  if (res.destroyed) return;
  entry.httpStatus = status;
  entry.answeredCode = code;
  send(res, status, body, headers);
}

/** Status and headers at once, then the body one byte at a time over `totalMs`. */
function drip(
  ctx: SandboxContext,
  res: ServerResponse,
  entry: CallLogEntry,
  status: number,
  body: string,
  echo: OutgoingHttpHeaders,
  totalMs: number,
): void {
  if (res.destroyed) return;
  const bytes = Buffer.from(body, 'utf8');
  entry.httpStatus = status;
  entry.answeredCode = codeIn(body);
  res.writeHead(status, {
    ...echo,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': bytes.length,
  });
  res.flushHeaders();
  const step = totalMs / bytes.length;
  let sent = 0;
  const next = (): void => {
    if (res.destroyed) return;
    res.write(bytes.subarray(sent, sent + 1));
    sent += 1;
    if (sent >= bytes.length) res.end();
    else ctx.later(step, next);
  };
  ctx.later(step, next);
}

function codeOf(answer: { code: string; description: string }): {
  code: string;
  description: string;
} {
  return { code: answer.code, description: answer.description };
}

function codeIn(body: string): string | undefined {
  return /"code":"([0-9]{3}_[0-9]{3})"/.exec(body)?.[1];
}

function validUtf8(bytes: Buffer): boolean {
  try {
    UTF8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
