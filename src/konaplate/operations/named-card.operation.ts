import { ErrorCode } from '../../common/errors/error-code';
import type { MemberId } from '../../members/member-id';
import { wireMemberId } from '../kona-wire';
import type { KonaOperation } from './kona-operation';

export interface NamedCardInput {
  identityVerified: boolean;
}

export function namedCardBody(memberId: MemberId, identityVerified: boolean) {
  return { userId: wireMemberId(memberId), isCheckNamedYn: identityVerified ? 'Y' : 'N' };
}

/** Balance Limit Increase (individual card): real-name registration of the member's card. */
export const NAMED_CARD: KonaOperation<NamedCardInput, { realNameRegistered: true }> = {
  name: 'namedcard',
  path: '/api/v1/user/namedcard',
  codes: {
    '001_006': ErrorCode.WalletUserNotFound,
    '011_001': ErrorCode.IdentityVerificationRequired,
  },
  mutates: true,
  encrypted: { request: false, answer: false },
  route: { method: 'POST', path: '/v1/me/real-name-registration' },
  wireBody: (memberId, input) => namedCardBody(memberId, input.identityVerified),
  answer: () => ({ realNameRegistered: true }),
};
