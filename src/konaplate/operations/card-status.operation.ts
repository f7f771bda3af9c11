import { ErrorCode } from '../../common/errors/error-code';
import { wireMemberId } from '../kona-wire';
import type { KonaOperation } from './kona-operation';

/** The two states the app can ask for; KONA's words for the change are SUSPEND / RESUME. */
export type CardState = 'suspended' | 'active';

export interface CardStatusInput {
  par: string;
  status: CardState;
}

const KONA_CHANGE: Record<CardState, 'SUSPEND' | 'RESUME'> = {
  suspended: 'SUSPEND',
  active: 'RESUME',
};

/** Modification of the Card's State: stop a lost card (SUSPEND) or lift the stop (RESUME). */
export const CARD_STATUS_UPDATE: KonaOperation<CardStatusInput, { status: CardState }> = {
  name: 'card-status',
  path: '/api/v1/card/status',
  codes: {
    '000_002': ErrorCode.InvalidInput,
    '001_006': ErrorCode.WalletUserNotFound,
    '003_001': ErrorCode.CardInvalid,
    '003_021': ErrorCode.CardNotFound,
    '003_022': ErrorCode.CardTerminated,
  },
  mutates: true,
  encrypted: { request: false, answer: false },
  route: { method: 'PUT', path: '/v1/me/cards/:par/status' },
  wireBody: (memberId, { par, status }) => ({
    userId: wireMemberId(memberId),
    par,
    status: KONA_CHANGE[status],
  }),
  answer: (_fields, { status }) => ({ status }),
};
