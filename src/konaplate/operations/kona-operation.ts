import type { ErrorCode } from '../../common/errors/error-code';

/**
 * One KONA endpoint: where it lives, and what its business codes mean. Codes are per operation
 * because KONA reuses them with different meanings on different endpoints.
 */
export interface KonaOperation {
  /** Short name for logs and metrics. */
  readonly name: string;
  readonly path: string;
  readonly codes: Readonly<Record<string, ErrorCode>>;
}
