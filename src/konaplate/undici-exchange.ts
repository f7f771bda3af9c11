import type { Dispatcher } from 'undici';

/** What came back: the status line, the headers and the whole body. */
export interface UndiciAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** The answer's body went past the size the caller allows (axios' `maxContentLength`). */
export class AnswerTooLarge extends Error {
  readonly code = 'ERR_BAD_RESPONSE';

  constructor(readonly maxBytes: number) {
    super(`maxContentLength size of ${maxBytes} exceeded`);
  }
}

/**
 * One request through an undici dispatcher (the raw `dispatch` handler API, no streams), its
 * answer collected into one Buffer, and how far it got.
 *
 * `started` is the one fact the retry rules rest on. undici calls `onRequestStart` from
 * `writeH1` (lib/dispatcher/client-h1.js) once the request has a CONNECTED socket of its own,
 * and writes the request onto that socket synchronously right after it returns. So before
 * `onRequestStart` no byte of this request was handed to any socket (it was queued, or its
 * connection was still being made, or failed); after it, bytes may have left. undici offers no
 * hook between the two, so a started request always counts as written, even if the socket died
 * before the write (conservative). A request whose pooled socket died while idle is never
 * started on it: undici waits for the socket's close and sends it over a new connection.
 */
export class UndiciExchange implements Dispatcher.DispatchHandler {
  /** undici handed this request to a connected socket: see the class comment. */
  started = false;
  readonly answer: Promise<UndiciAnswer>;

  private controller: Dispatcher.DispatchController | undefined;
  /** An abort that came before `onRequestStart`: applied there, before undici writes a byte. */
  private abortedBeforeStart: Error | undefined;
  private settled = false;
  private status = 0;
  private statusText = '';
  private headers: UndiciAnswer['headers'] = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private resolve!: (answer: UndiciAnswer) => void;
  private reject!: (error: Error) => void;

  /** `maxBytes` < 0: no limit (axios' convention for `maxContentLength`). */
  constructor(private readonly maxBytes: number) {
    this.answer = new Promise<UndiciAnswer>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /**
   * Ends the exchange now. A started request is aborted by undici, which destroys its socket (a
   * slow answer cannot outlive the deadline); one still queued or connecting fails at once and
   * is aborted when undici would start it, so it is never written.
   */
  abort(reason: Error): void {
    if (this.controller) {
      this.controller.abort(reason);
      return;
    }
    this.abortedBeforeStart = reason;
    this.fail(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.abortedBeforeStart) {
      controller.abort(this.abortedBeforeStart);
      return;
    }
    this.started = true;
    this.controller = controller;
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: UndiciAnswer['headers'],
    statusMessage?: string,
  ): void {
    this.status = statusCode;
    this.statusText = statusMessage ?? '';
    this.headers = headers;
    const declared = Number(headers['content-length']);
    if (this.maxBytes >= 0 && declared > this.maxBytes) {
      controller.abort(new AnswerTooLarge(this.maxBytes));
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    if (this.maxBytes >= 0 && this.size > this.maxBytes) {
      controller.abort(new AnswerTooLarge(this.maxBytes));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    const body = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    this.resolve({ status: this.status, statusText: this.statusText, headers: this.headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }
}
