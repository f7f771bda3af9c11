import {
  KonaTransport,
  type KonaHttpRequest,
  type KonaHttpResponse,
} from '../konaplate/kona-transport';

/** Records every request and answers from a script (a response, or a failure to throw). */
export class FakeTransport extends KonaTransport {
  readonly requests: KonaHttpRequest[] = [];
  private readonly script: (KonaHttpResponse | Error)[] = [];

  answer(...replies: (KonaHttpResponse | Error)[]): this {
    this.script.push(...replies);
    return this;
  }

  post(request: KonaHttpRequest): Promise<KonaHttpResponse> {
    this.requests.push(request);
    const reply = this.script.shift() ?? { status: 200, text: '{"code":"000_000"}' };
    return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
  }

  get last(): KonaHttpRequest {
    const request = this.requests.at(-1);
    if (!request) throw new Error('no request was sent');
    return request;
  }
}
