import { ErrorCode } from '../../common/errors/error-code';
import { readInteger, wireMemberId } from '../kona-wire';
import type { KonaOperation } from './kona-operation';
import { UnreadableAnswerError } from './kona-operation';

/** KONA's range for balances and limits (Search for Card: 0 … 9999999999 KRW). */
const MAX_AMOUNT = 9_999_999_999;
const PAR = /^[A-Za-z0-9]{27}$/;

export interface CardLimitsView {
  perTransaction: number;
  daily: number;
  monthly: number;
}

export interface CardView {
  par: string;
  named: boolean;
  balance: number;
  pendingAmount: number;
  /** Debit cards only (KONA sends `limits` for those). */
  limits?: CardLimitsView;
  /** Only when KONA's answer carries a `status` of ACTIVE or SUSPENDED (README, assumptions). */
  status?: 'active' | 'suspended';
}

/** The card list takes no input: the member comes from the token. */
export type CardListInput = Record<string, never>;

const STATES: Readonly<Record<string, CardView['status']>> = {
  ACTIVE: 'active',
  SUSPENDED: 'suspended',
};

/**
 * Search for Card: the member's cards. Read-only, and its answer is encrypted (JWE). Only the
 * fields KONA documents are read; everything else in its answer is dropped.
 */
export const CARD_LIST: KonaOperation<CardListInput, { cards: CardView[] }> = {
  name: 'card-list',
  path: '/api/v1/user/card/list',
  codes: { '001_006': ErrorCode.WalletUserNotFound },
  mutates: false,
  encrypted: { request: false, answer: true },
  route: { method: 'GET', path: '/v1/me/cards' },
  wireBody: (memberId) => ({ userId: wireMemberId(memberId) }),
  answer: (fields) => {
    const list = fields.cardDataInfo ?? [];
    if (!Array.isArray(list)) throw new UnreadableAnswerError('cardDataInfo is not a list');
    return { cards: list.map((item, index) => cardView(item, index)) };
  },
};

function cardView(item: unknown, index: number): CardView {
  if (typeof item !== 'object' || item === null) {
    throw new UnreadableAnswerError(`cardDataInfo[${index}] is not an object`);
  }
  const card = item as Record<string, unknown>;
  const amount = (name: string, value: unknown): number => {
    const n = readInteger(value, 0, MAX_AMOUNT);
    if (n === undefined) throw new UnreadableAnswerError(`cardDataInfo[${index}].${name}`);
    return n;
  };
  if (typeof card.par !== 'string' || !PAR.test(card.par)) {
    throw new UnreadableAnswerError(`cardDataInfo[${index}].par`);
  }
  if (typeof card.isNamed !== 'boolean') {
    throw new UnreadableAnswerError(`cardDataInfo[${index}].isNamed`);
  }
  const view: CardView = {
    par: card.par,
    named: card.isNamed,
    balance: amount('balance', card.balance),
    pendingAmount: amount('pendingAmount', card.pendingAmount ?? 0),
  };
  if (card.limits !== undefined && card.limits !== null) {
    const limits = card.limits as Record<string, unknown>;
    view.limits = {
      perTransaction: amount('limits.once', limits.once),
      daily: amount('limits.day', limits.day),
      monthly: amount('limits.month', limits.month),
    };
  }
  const status =
    typeof card.status === 'string' && Object.hasOwn(STATES, card.status)
      ? STATES[card.status]
      : undefined;
  if (status) view.status = status;
  return view;
}
