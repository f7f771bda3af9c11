import { ErrorCode } from '../../common/errors/error-code';
import type { MemberId } from '../../members/member-id';
import { wireMemberId } from '../kona-wire';
import type { KonaOperation } from './kona-operation';

/** Modification of the Card's Limit: replaces the per-transaction, daily and monthly limits. */
export const CARD_LIMIT_UPDATE: KonaOperation = {
  name: 'card-limit-update',
  path: '/api/v1/card/payment/limit/update',
  codes: {
    '000_002': ErrorCode.InvalidInput,
    '001_006': ErrorCode.WalletUserNotFound,
    '003_024': ErrorCode.AccountNotLinked,
  },
};

export interface CardLimits {
  perTransaction: number;
  daily: number;
  monthly: number;
}

export function cardLimitBody(memberId: MemberId, par: string, limits: CardLimits) {
  return {
    userId: wireMemberId(memberId),
    par,
    limits: { once: limits.perTransaction, day: limits.daily, month: limits.monthly },
  };
}
