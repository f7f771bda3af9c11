import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultSpecError, parseFaultSpec } from './faults';
import { send, sendJson, sendNoContent, type RawBody } from './http-io';
import type { SandboxContext } from './sandbox-context';

/** Prefix of the control API used by tests and the soak script. */
export const ADMIN_PREFIX = '/__sandbox/';

/**
 * The control API:
 * `GET /__sandbox/calls[?userId=DIGITS]`, `DELETE /__sandbox/calls`,
 * `GET /__sandbox/faults`, `POST /__sandbox/faults`, `DELETE /__sandbox/faults`,
 * `DELETE /__sandbox/cards` (forget every suspension and limit update),
 * `GET /__sandbox/transport` (connections, TLS handshakes and KONA calls per transport).
 */
export function handleAdmin(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: RawBody,
): void {
  const route = `${req.method ?? '?'} ${url.pathname}`;
  switch (route) {
    case 'GET /__sandbox/calls': {
      const userId = url.searchParams.get('userId');
      if (userId !== null && !/^[0-9]{1,20}$/.test(userId)) {
        badRequest(res, 'userId must be decimal digits');
      } else {
        sendJson(res, 200, { calls: ctx.calls.list(userId === null ? {} : { userId }) });
      }
      break;
    }
    case 'DELETE /__sandbox/calls':
      ctx.calls.clear();
      sendNoContent(res);
      break;
    case 'GET /__sandbox/faults':
      sendJson(res, 200, { faults: ctx.faults.list() });
      break;
    case 'POST /__sandbox/faults':
      postFault(ctx, res, raw);
      break;
    case 'DELETE /__sandbox/faults':
      ctx.faults.clear();
      sendNoContent(res);
      break;
    case 'DELETE /__sandbox/cards':
      ctx.cards.clear();
      sendNoContent(res);
      break;
    case 'GET /__sandbox/transport':
      sendJson(res, 200, ctx.transport.snapshot());
      break;
    default:
      notFound(ctx, res, req.method, url.pathname);
  }
}

/** 404 for any route the sandbox does not serve, printed because it usually means a wrong URL. */
export function notFound(
  ctx: SandboxContext,
  res: ServerResponse,
  method: string | undefined,
  pathname: string,
): void {
  const reason = `no route ${method ?? '?'} ${pathname}`;
  ctx.warn(`NOT FOUND ${reason}`);
  sendJson(res, 404, { code: '999_404', description: `sandbox: ${reason}` });
}

function postFault(ctx: SandboxContext, res: ServerResponse, raw: RawBody): void {
  let spec;
  try {
    spec = parseFaultSpec(JSON.parse(raw.bytes.toString('utf8')));
  } catch (error) {
    if (error instanceof SyntaxError) badRequest(res, 'fault body is not valid JSON');
    else if (error instanceof FaultSpecError) badRequest(res, error.message);
    else throw error;
    return;
  }
  ctx.faults.set(spec);
  sendNoContent(res);
}

function badRequest(res: ServerResponse, reason: string): void {
  send(res, 400, JSON.stringify({ code: '999_400', description: `sandbox: ${reason}` }));
}
