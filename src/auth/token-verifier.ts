import type { MemberId } from '../members/member-id';

/** Port: turns a bearer token into the member it speaks for, or rejects it. */
export abstract class TokenVerifier {
  /** Resolves with the member id; rejects with an Error whose message is safe to log. */
  abstract verify(token: string): Promise<MemberId>;
}
