import type { ErrorCode } from '../../common/errors/error-code';
import type { MemberId } from '../../members/member-id';

/** The mobile route that runs an operation, in Nest's path syntax (`:par`). */
export interface MobileRoute {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
}

/**
 * One KONA call, as data: everything that differs between operations. The engine
 * (src/operations) runs every operation the same way (auth, validation, idempotency when
 * `mutates`, the signed call, the answer), and the OpenAPI error tables, the sandbox's routing and
 * the test route tables are derived from these descriptors.
 */
export interface KonaOperation<Input = unknown, Answer = unknown> {
  /** Short name for logs and metrics (`operation` label). */
  readonly name: string;
  /** KONA's path, appended to KONAPLATE_BASE_URL. */
  readonly path: string;
  /**
   * KONA's business codes on this endpoint and what each means to the app. Codes are per
   * operation because KONA reuses them with different meanings on different endpoints; a mapped
   * code is KONA's final word for an idempotency key, an unmapped one is not.
   */
  readonly codes: Readonly<Record<string, ErrorCode>>;
  /** Changes state at KONA: needs an Idempotency-Key and runs exactly once per key. */
  readonly mutates: boolean;
  /** Which directions are JWE-encrypted (KONA's page marks the section "Encrypted"). */
  readonly encrypted: { readonly request: boolean; readonly answer: boolean };
  readonly route: MobileRoute;
  /** KONA's request body for the member and the validated mobile input. */
  wireBody(memberId: MemberId, input: Input): Record<string, unknown>;
  /**
   * The mobile answer from KONA's business fields (unknown fields are dropped, never passed
   * through). Throws {@link UnreadableAnswerError} when the fields are not what KONA documents.
   */
  answer(fields: Readonly<Record<string, unknown>>, input: Input): Answer;
}

/** KONA answered success with fields the operation cannot read: an unknown outcome. */
export class UnreadableAnswerError extends Error {
  constructor(reason: string) {
    super(`KONA PLATE's answer could not be read: ${reason}`);
    this.name = 'UnreadableAnswerError';
  }
}

/** Whether any direction of the operation is encrypted. */
export function needsEncryption(op: KonaOperation): boolean {
  return op.encrypted.request || op.encrypted.answer;
}
