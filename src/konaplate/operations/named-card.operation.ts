import { ErrorCode } from '../../common/errors/error-code';
import type { MemberId } from '../../members/member-id';
import { wireMemberId } from '../kona-wire';
import type { KonaOperation } from './kona-operation';

/** Balance Limit Increase (individual card): real-name registration of the member's card. */
export const NAMED_CARD: KonaOperation = {
  name: 'namedcard',
  path: '/api/v1/user/namedcard',
  codes: {
    '001_006': ErrorCode.WalletUserNotFound,
    '011_001': ErrorCode.IdentityVerificationRequired,
  },
};

export function namedCardBody(memberId: MemberId, identityVerified: boolean) {
  return { userId: wireMemberId(memberId), isCheckNamedYn: identityVerified ? 'Y' : 'N' };
}
