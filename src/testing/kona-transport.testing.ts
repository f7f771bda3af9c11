/** The KONA transport as production builds it, for the transport's specs. */
import { HttpModule } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import { AxiosKonaTransport } from '../konaplate/axios-kona.transport';
import { konaAxiosConfig } from '../konaplate/kona-axios.config';
import { TransportFailure } from '../konaplate/kona-transport';
import { isUndiciAdapter, type UndiciAdapterOptions } from '../konaplate/undici-axios.adapter';
import { onClose } from './loopback';

export const REQUEST = { path: '/api/v1/user/namedcard', body: '{"userId":1}', headers: {} };

/** The transport as konaplate.module.ts builds it (HttpModule's axios on the undici adapter). */
export async function transportFor(url: string, options: UndiciAdapterOptions = {}) {
  const config = konaAxiosConfig(url, { connections: 4, ...options });
  const { adapter } = config;
  if (isUndiciAdapter(adapter)) onClose(() => adapter.close());
  const module = await Test.createTestingModule({
    imports: [HttpModule.register(config)],
    providers: [AxiosKonaTransport],
  }).compile();
  return module.get(AxiosKonaTransport);
}

export const post = (transport: AxiosKonaTransport, body = REQUEST.body, timeoutMs = 1000) =>
  transport.post({ ...REQUEST, body, timeoutMs });

/** The TransportFailure a call ends with (the test fails if it succeeds). */
export async function failure(call: Promise<unknown>): Promise<TransportFailure> {
  const outcome = await call.then(
    () => new Error('expected a transport failure, but KONA answered'),
    (error: unknown) => error,
  );
  if (outcome instanceof TransportFailure) return outcome;
  throw outcome;
}
