import { ErrorCode } from '../../common/errors/error-code';
import type { MemberId } from '../../members/member-id';
import { wireMemberId } from '../kona-wire';
import type { KonaOperation } from './kona-operation';

export interface CardLimits {
  perTransaction: number;
  daily: number;
  monthly: number;
}

export interface CardLimitInput extends CardLimits {
  par: string;
}

export function cardLimitBody(memberId: MemberId, par: string, limits: CardLimits) {
  return {
    userId: wireMemberId(memberId),
    par,
    limits: { once: limits.perTransaction, day: limits.daily, month: limits.monthly },
  };
}

/**
 * Modification of the Card's Limit: replaces the per-transaction, daily and monthly limits. KONA
 * documents no answer fields, so the answer echoes what was set.
 */
export const CARD_LIMIT_UPDATE: KonaOperation<CardLimitInput, { limits: CardLimits }> = {
  name: 'card-limit-update',
  path: '/api/v1/card/payment/limit/update',
  codes: {
    '000_002': ErrorCode.InvalidInput,
    '001_006': ErrorCode.WalletUserNotFound,
    '003_024': ErrorCode.AccountNotLinked,
  },
  mutates: true,
  encrypted: { request: false, answer: false },
  route: { method: 'PUT', path: '/v1/me/cards/:par/limits' },
  wireBody: (memberId, { par, ...limits }) => cardLimitBody(memberId, par, limits),
  answer: (_fields, { perTransaction, daily, monthly }) => ({
    limits: { perTransaction, daily, monthly },
  }),
};
