import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { isLosslessNumber, LosslessNumber, parse, stringify } from 'lossless-json';
import type { KonaOperation } from '../../src/konaplate/operations/kona-operation';
import type { CallLogEntry } from './call-log';
import type { AppliedFault } from './faults';
import { headerSafe, MAX_BODY_BYTES, send, type RawBody } from './http-io';
import type { EndpointMatch } from './kona-endpoints';
import { answerFor, INVALID_INPUT } from './members';
import type { SandboxContext } from './sandbox-context';
import { peekUserId, validateBody } from './validate-body';
import { readFacts, verifyRequest, type Rejection } from './verify-request';

/** Header carrying the exact rejection reason, so a failing gateway test can show it. */
export const REASON_HEADER = 'X-Sandbox-Reason';

const CORRELATION_ECHO = /^[\x20-\x7e]{1,100}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Answers one call to a KONA endpoint: records it, refuses it loudly if any header, the token, the
 * encryption or the body is wrong, and otherwise gives the member's documented answer (encrypted when
 * the operation's answer is and the sandbox has keys), through the fault that applies to it. Refusals
 * win over faults, so a broken gateway is never hidden behind a simulated outage; refusals are never
 * encrypted, so their reason stays readable.
 */
export async function handleKona(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
  match: EndpointMatch & { implemented: true },
  path: string,
  raw: RawBody,
): Promise<void> {
  const { endpoint, operation } = match;
  const text = raw.bytes.toString('utf8');
  const { entry, echo } = recordCall(ctx, req, path, raw, text);

  const rejection = headerRejection(ctx, req, raw);
  if (rejection !== null) {
    const body = { code: rejection.code, description: `sandbox: ${rejection.reason}` };
    refuse(ctx, res, entry, rejection.status, body, rejection.reason, echo);
    return;
  }
  if (!validUtf8(raw.bytes)) {
    refuseBody(ctx, res, entry, 'body is not valid UTF-8', echo);
    return;
  }
  // The token was checked over the bytes as sent (the envelope when encrypted); the body is judged
  // on what the envelope carries.
  const opened = await openBody(ctx, operation, text);
  if (!opened.ok) {
    const body = { code: '999_400', description: `sandbox: ${opened.reason}` };
    refuse(ctx, res, entry, 400, body, opened.reason, echo);
    return;
  }
  if (opened.encrypted) {
    entry.decryptedBody = opened.plaintext;
    entry.userId = peekUserId(opened.plaintext);
  }
  const check = validateBody(endpoint, opened.plaintext);
  if (!check.ok) {
    refuseBody(ctx, res, entry, check.reason, echo);
    return;
  }

  const request = check.request;
  entry.userId = request.userId;
  const answer = answerFor(request, ctx.cards);
  // stringify + LosslessNumber writes the id's own digits, even 19 of them, as a bare JSON number.
  const plaintext =
    stringify(
      endpoint === 'namedcard' && answer.status === 200
        ? { ...codeOf(answer), userId: new LosslessNumber(request.userId) }
        : { ...codeOf(answer), ...answer.fields },
    ) ?? '';
  const sealer = operation.encrypted.answer ? ctx.crypto : null;
  const body = sealer === null ? plaintext : await sealer.encryptAnswer(plaintext);
  if (sealer !== null) entry.encryptedAnswer = true;
  const reply: Reply = { status: answer.status, body, code: answer.code };
  const fault = ctx.faults.take(request.userId);
  if (fault === undefined) {
    ctx.later(ctx.config.latencyMs, () => {
      answerWith(res, entry, reply, echo);
    });
    return;
  }
  entry.fault = fault.mode;
  applyFault(ctx, req, res, entry, fault, reply, echo);
}

/**
 * A call to an operation the gateway describes (src/konaplate/operations) but the sandbox does not
 * implement: recorded and refused with 501, so the gap shows at once.
 */
export function refuseUnimplemented(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
  operation: KonaOperation<never, unknown>,
  path: string,
  raw: RawBody,
): void {
  const { entry, echo } = recordCall(ctx, req, path, raw, raw.bytes.toString('utf8'));
  const reason = `the sandbox does not implement the KONA operation ${operation.name} (${operation.path})`;
  refuse(
    ctx,
    res,
    entry,
    501,
    { code: '999_501', description: `sandbox: ${reason}` },
    reason,
    echo,
  );
}

/** An answer to send: HTTP status, exact body, and the result code it carries (even encrypted). */
interface Reply {
  status: number;
  body: string;
  code: string;
}

function recordCall(
  ctx: SandboxContext,
  req: IncomingMessage,
  path: string,
  raw: RawBody,
  text: string,
): { entry: CallLogEntry; echo: OutgoingHttpHeaders } {
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
  return { entry, echo };
}

type OpenedBody =
  { ok: true; plaintext: string; encrypted: boolean } | { ok: false; reason: string };

/**
 * The body to validate: a `{"encData": ...}` envelope decrypted with the server key, any other body
 * as sent. An envelope the sandbox cannot open, an envelope with other fields, and a plaintext body
 * for an operation whose request KONA encrypts (when the sandbox has keys) are refused.
 */
async function openBody(
  ctx: SandboxContext,
  operation: KonaOperation<never, unknown>,
  text: string,
): Promise<OpenedBody> {
  const envelope = envelopeKeys(text);
  if (envelope === undefined) {
    if (ctx.crypto !== null && operation.encrypted.request) {
      return {
        ok: false,
        reason: `${operation.name} takes an encrypted request: send {"encData":"<JWE for the server key>"}`,
      };
    }
    return { ok: true, plaintext: text, encrypted: false };
  }
  if (ctx.crypto === null) {
    return {
      ok: false,
      reason:
        'body carries encData but the sandbox has no server private key ' +
        '(SANDBOX_SERVER_PRIVATE_KEY): it cannot decrypt requests',
    };
  }
  const others = envelope.filter((name) => name !== 'encData');
  if (others.length > 0) {
    return {
      ok: false,
      reason: `an encrypted body carries encData only, got also: ${others.join(', ')}`,
    };
  }
  const opened = await ctx.crypto.openRequest(text);
  return opened.ok ? { ...opened, encrypted: true } : opened;
}

/** The field names of a JSON object body that has `encData`; undefined for any other body. */
function envelopeKeys(text: string): string[] | undefined {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (isLosslessNumber(value) || !Object.hasOwn(value, 'encData')) return undefined;
  return Object.keys(value);
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

/** The documented `000_002` answer for a body the sandbox refuses; the exact reason goes in the header. */
function refuseBody(
  ctx: SandboxContext,
  res: ServerResponse,
  entry: CallLogEntry,
  reason: string,
  echo: OutgoingHttpHeaders,
): void {
  const body = { code: INVALID_INPUT.code, description: INVALID_INPUT.description };
  refuse(ctx, res, entry, INVALID_INPUT.status, body, reason, echo);
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
    answerWith(res, entry, { status, body: JSON.stringify(body), code: body.code }, headers);
  });
}

function applyFault(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
  entry: CallLogEntry,
  fault: AppliedFault,
  reply: Reply,
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
        answerWith(res, entry, reply, echo);
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
        send(res, 200, `{"code":"${reply.code.slice(0, 5)}`, echo);
      });
      return;
    case 'drip':
      ctx.later(base, () => {
        drip(ctx, res, entry, reply, echo, fault.latencyMs);
      });
      return;
    case 'garble':
      ctx.later(base, () => {
        answerWith(res, entry, { ...reply, body: garble(reply.body) }, echo);
      });
      return;
  }
}

/**
 * The `garble` fault: an encrypted answer keeps its shape but one character of the JWE ciphertext
 * changes, so the authentication tag no longer matches and it does not decrypt; a plaintext answer
 * has its double quotes turned into single ones, so it is no longer JSON.
 */
export function garble(body: string): string {
  const match = /"encData":"([^"]*)"/.exec(body);
  if (match === null) return body.replaceAll('"', "'");
  const parts = match[1].split('.');
  // A compact JWE: header.encryptedKey.iv.ciphertext.tag. Change the first ciphertext character
  // (all six of its bits count) to the next base64url letter; any other value also fails the tag.
  const target = parts.length === 5 && parts[3].length > 0 ? 3 : parts.length - 1;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const segment = parts[target];
  const next = alphabet[(alphabet.indexOf(segment.charAt(0)) + 1) % alphabet.length];
  parts[target] = next + segment.slice(1);
  return body.replace(match[1], parts.join('.'));
}

/** Sends the KONA answer and completes the call-log entry. */
function answerWith(
  res: ServerResponse,
  entry: CallLogEntry,
  reply: Reply,
  headers: OutgoingHttpHeaders,
): void {
  if (res.destroyed) return;
  entry.httpStatus = reply.status;
  entry.answeredCode = reply.code;
  send(res, reply.status, reply.body, headers);
}

/** Status and headers at once, then the body one byte at a time over `totalMs`. */
function drip(
  ctx: SandboxContext,
  res: ServerResponse,
  entry: CallLogEntry,
  reply: Reply,
  echo: OutgoingHttpHeaders,
  totalMs: number,
): void {
  if (res.destroyed) return;
  const bytes = Buffer.from(reply.body, 'utf8');
  entry.httpStatus = reply.status;
  entry.answeredCode = reply.code;
  res.writeHead(reply.status, {
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

function validUtf8(bytes: Buffer): boolean {
  try {
    UTF8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
