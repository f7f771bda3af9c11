import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { AxiosError, AxiosHeaders, CanceledError } from 'axios';
import { Agent } from 'undici';
import type { UndiciAnswer } from './undici-exchange';
import { UndiciExchange } from './undici-exchange';

export interface UndiciAdapterOptions {
  /** Most sockets kept per origin (the old agent's `maxSockets`). */
  connections?: number;
  /**
   * Trusted CAs instead of Node's default store. Tests only: production leaves it unset, and
   * Node's store includes NODE_EXTRA_CA_CERTS (the chart's way to add a corporate CA).
   */
  ca?: string;
}

/** axios' adapter function, plus what a module needs to close its sockets at shutdown. */
export type UndiciAxiosAdapter = AxiosAdapter & { close(): Promise<void> };

/**
 * Idle keep-alive sockets are dropped after 4 s whatever the server's `Keep-Alive: timeout=N`
 * hint says (`keepAliveMaxTimeout`; a shorter hint lowers it, minus undici's 2 s threshold):
 * shorter than the 5 s idle timeout common to upstream servers and load balancers, so a request
 * is rarely written onto a socket the far end is closing (it would count as written: unknown
 * outcome, not retried). undici also waits one event-loop turn before reusing an idle socket,
 * so a FIN that already arrived is seen first and the request goes over a new connection.
 */
const KEEP_ALIVE_MS = 4000;

/**
 * An axios adapter (axios' documented extension point: `adapter` in its config) on undici: one
 * keep-alive Agent, which keeps a Pool per origin, HTTP/1.1 only. It replaces axios' Node http
 * adapter (follow-redirects, stream and decompression set-up, a `setKeepAlive` per request) and
 * keeps axios' API above it. Deliberately narrower than that adapter: no redirects are followed
 * (a 3xx is an answer, whatever `maxRedirects` says), no proxy, no decompression (it asks for
 * `identity` and refuses an encoded answer), no `params`, no streams; `maxContentLength` and
 * `signal` are honoured, and `timeout` is an overall deadline. A failure is an AxiosError whose
 * `request` is the {@link UndiciExchange}, which tells whether the request was started.
 */
export function createUndiciAdapter(options: UndiciAdapterOptions = {}): UndiciAxiosAdapter {
  const agent = new Agent({
    connections: options.connections ?? 256,
    pipelining: 1,
    keepAliveTimeout: KEEP_ALIVE_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_MS,
    // KONA speaks HTTP/1.1; undici 8 would otherwise offer h2 over ALPN.
    allowH2: false,
    connect: options.ca === undefined ? undefined : { ca: options.ca },
  });
  const adapter = (config: InternalAxiosRequestConfig) => send(agent, config);
  return Object.assign(adapter, { close: () => agent.destroy() });
}

export function isUndiciAdapter(adapter: unknown): adapter is UndiciAxiosAdapter {
  return typeof adapter === 'function' && 'close' in adapter;
}

async function send(agent: Agent, config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
  const exchange = new UndiciExchange(config.maxContentLength ?? -1);
  const stop = watchCancellation(config, exchange);
  try {
    const url = new URL(fullUrl(config));
    agent.dispatch(
      {
        origin: url.origin,
        path: url.pathname + url.search,
        method: (config.method ?? 'get').toUpperCase(),
        headers: requestHeaders(config),
        body: (config.data as string | Buffer | undefined) ?? null,
      },
      exchange,
    );
    return settle(config, exchange, await exchange.answer);
  } catch (error) {
    throw asAxiosError(error, config, exchange);
  } finally {
    stop();
  }
}

/** axios' `signal`, and `timeout` as one deadline for the whole exchange; returns the clean-up. */
function watchCancellation(config: InternalAxiosRequestConfig, exchange: UndiciExchange) {
  const signal = config.signal as AbortSignal | undefined;
  const cancel = () => exchange.abort(new CanceledError(undefined, config, exchange));
  if (signal?.aborted) cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  const timer =
    config.timeout && config.timeout > 0
      ? setTimeout(() => {
          const message = `timeout of ${config.timeout}ms exceeded`;
          exchange.abort(new AxiosError(message, AxiosError.ECONNABORTED, config, exchange));
        }, config.timeout)
      : undefined;
  return () => {
    signal?.removeEventListener('abort', cancel);
    clearTimeout(timer);
  };
}

const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/** baseURL + url as axios joins them (lib/core/buildFullPath.js), without `params`. */
function fullUrl(config: InternalAxiosRequestConfig): string {
  if (config.params !== undefined) {
    throw new AxiosError('params are not supported', AxiosError.ERR_NOT_SUPPORT, config);
  }
  const url = config.url ?? '';
  const base = config.baseURL;
  if (!base || (ABSOLUTE.test(url) && config.allowAbsoluteUrls !== false)) return url;
  return url ? `${base.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}` : base;
}

function requestHeaders(config: InternalAxiosRequestConfig): Record<string, string> {
  const headers = AxiosHeaders.from(config.headers).toJSON(true);
  // No decompression here: ask for the body as it is.
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'accept-encoding')) {
    headers['accept-encoding'] = 'identity';
  }
  return headers;
}

/** axios' settle (lib/core/settle.js): validateStatus decides between answer and error. */
function settle(
  config: InternalAxiosRequestConfig,
  exchange: UndiciExchange,
  answer: UndiciAnswer,
): AxiosResponse {
  const encoding = answer.headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') {
    const message = `content-encoding ${String(encoding)} is not supported`;
    throw new AxiosError(message, AxiosError.ERR_BAD_RESPONSE, config, exchange);
  }
  const response: AxiosResponse = {
    data: responseData(config, answer.body),
    status: answer.status,
    statusText: answer.statusText,
    headers: new AxiosHeaders(answer.headers as Record<string, string>),
    config,
    request: exchange,
  };
  if (!config.validateStatus || config.validateStatus(answer.status)) return response;
  const code = answer.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST;
  const message = `Request failed with status code ${answer.status}`;
  throw new AxiosError(message, code, config, exchange, response);
}

function responseData(config: InternalAxiosRequestConfig, body: Buffer): unknown {
  if (config.responseType === 'arraybuffer') return body;
  if (config.responseType === 'stream') {
    throw new AxiosError('responseType stream is not supported', AxiosError.ERR_NOT_SUPPORT);
  }
  const text = body.toString((config.responseEncoding as BufferEncoding | undefined) ?? 'utf8');
  // As axios' http adapter does for UTF-8 text.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** An undici error becomes an AxiosError with undici's code; its `cause` is the original. */
function asAxiosError(
  error: unknown,
  config: InternalAxiosRequestConfig,
  exchange: UndiciExchange,
): AxiosError {
  if (error instanceof AxiosError) {
    error.request ??= exchange;
    return error;
  }
  // Duck-typed, not `instanceof Error`: errors made by Node's internals may come from another
  // realm (jest's vm contexts), and the code is what matters.
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const wrapped = new AxiosError(
    typeof message === 'string' ? message : String(error),
    typeof code === 'string' ? code : undefined,
    config,
    exchange,
  );
  wrapped.cause = error as Error;
  return wrapped;
}
