import type { AxiosRequestConfig } from 'axios';
import type { UndiciAdapterOptions } from './undici-axios.adapter';
import { createUndiciAdapter } from './undici-axios.adapter';

/** Largest KONA answer read (the biggest, a card list, is a few KiB); past it: unreadable. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * The axios configuration of the KONA HttpModule (konaplate.module.ts), in one place so the
 * transport's tests run on exactly what production runs: axios' API on the undici adapter.
 */
export function konaAxiosConfig(
  baseURL: string,
  adapterOptions?: UndiciAdapterOptions,
): AxiosRequestConfig {
  return {
    baseURL,
    adapter: createUndiciAdapter(adapterOptions),
    maxContentLength: MAX_ANSWER_BYTES,
    maxRedirects: 0,
    // What holds for every KONA call is set once here rather than on each call, where axios
    // would merge it again every time: the body is already the exact string that was signed, so
    // no transform may touch it; the answer is read as text (lossless JSON parses it later); every
    // status is an answer for the caller to interpret.
    transformRequest: [(data: unknown) => data],
    transformResponse: [(data: unknown) => data],
    responseType: 'text',
    validateStatus: () => true,
  };
}
