import { DEFAULT_CARDS, wireCard, type CardBook, type SandboxCard } from './cards';
import type { KonaEndpoint } from './kona-endpoints';
import type { KonaRequest } from './validate-body';

/** A documented KONA answer: HTTP status, result code and its message. */
export interface KonaAnswer {
  status: number;
  code: string;
  description: string;
}

/** A KONA answer with its business fields (card-list: `cardDataInfo`). */
export interface MemberAnswer extends KonaAnswer {
  fields?: Record<string, unknown>;
}

/** A member id with a fixed, documented answer (every other valid call succeeds). */
export interface TestMember {
  userId: string;
  /** One line for the README. */
  description: string;
  /** Fixed answers by endpoint (the operation's descriptor name); they win over everything. */
  answers: Partial<Record<KonaEndpoint, KonaAnswer>>;
  /** The member's cards; absent: {@link DEFAULT_CARDS}. */
  cards?: readonly SandboxCard[];
}

/** KONA's success answer (HTTP 200, `000_000`). */
export const SUCCESS: KonaAnswer = { status: 200, code: '000_000', description: 'Success' };

const WALLET_USER_NOT_FOUND: KonaAnswer = {
  status: 400,
  code: '001_006',
  description: 'Wallet user not found',
};
const MISSING_IDENTITY: KonaAnswer = {
  status: 400,
  code: '011_001',
  description: 'Missing identity verification',
};
/** KONA's documented "invalid input parameter" answer, also used for bodies the sandbox refuses. */
export const INVALID_INPUT: KonaAnswer = {
  status: 400,
  code: '000_002',
  description: 'Invalid input parameter',
};
const NO_ACCOUNT: KonaAnswer = {
  status: 400,
  code: '003_024',
  description: "Don't have account info",
};
const INVALID_CARD: KonaAnswer = { status: 400, code: '003_001', description: 'Invalid card info' };
const PAR_NOT_FOUND: KonaAnswer = { status: 400, code: '003_021', description: 'Cannot find par' };
const CARD_TERMINATED: KonaAnswer = {
  status: 400,
  code: '003_022',
  description: 'Card is already terminated',
};
// A code KONA never documented, so gateways prove they handle the unknown.
const UNDOCUMENTED: KonaAnswer = {
  status: 400,
  code: '999_999',
  description: 'Sandbox undocumented error',
};

const EVERY_ENDPOINT = (answer: KonaAnswer): Record<KonaEndpoint, KonaAnswer> => ({
  namedcard: answer,
  'card-limit-update': answer,
  'card-list': answer,
  'card-status': answer,
});

/** The test members, mirroring the "Test Data" cases of KONA's API pages. */
export const TEST_MEMBERS: readonly TestMember[] = [
  {
    userId: '1001006',
    description: '`001_006` Wallet user not found, on every endpoint',
    answers: EVERY_ENDPOINT(WALLET_USER_NOT_FOUND),
  },
  {
    userId: '1011001',
    description: '`011_001` Missing identity verification, on namedcard (the others as usual)',
    answers: { namedcard: MISSING_IDENTITY },
  },
  {
    userId: '1003024',
    description: "`003_024` Don't have account info, on limit update (the others as usual)",
    answers: { 'card-limit-update': NO_ACCOUNT },
  },
  {
    userId: '1000002',
    description:
      '`000_002` Invalid input parameter, on limit update and card status (the others as usual)',
    answers: { 'card-limit-update': INVALID_INPUT, 'card-status': INVALID_INPUT },
  },
  {
    userId: '1003001',
    description: '`003_001` Invalid card info, on card status (the others as usual)',
    answers: { 'card-status': INVALID_CARD },
  },
  {
    userId: '1000000',
    description:
      'no cards: card list answers an empty `cardDataInfo`, card status `003_021` (the others as usual)',
    answers: {},
    cards: [],
  },
  {
    userId: '1003999',
    description:
      'each endpoint answers a code documented only for another (`003_024` on namedcard and card status, `011_001` on limit update, `003_021` on card list): codes mean different things per endpoint',
    answers: {
      namedcard: NO_ACCOUNT,
      'card-limit-update': MISSING_IDENTITY,
      'card-list': PAR_NOT_FOUND,
      'card-status': NO_ACCOUNT,
    },
  },
  {
    userId: '1999999',
    description:
      '`999_999` Sandbox undocumented error (a code KONA never lists), on every endpoint',
    answers: EVERY_ENDPOINT(UNDOCUMENTED),
  },
];

/** The cards of a member: its own set, or the default one. */
export function cardSetOf(userId: string): readonly SandboxCard[] {
  return memberOf(userId)?.cards ?? DEFAULT_CARDS;
}

/**
 * KONA's answer to a valid request, and the change it makes. The member table comes first (a member
 * that does not exist is not found whatever the body says); then namedcard with
 * `isCheckNamedYn: "N"` is refused with `011_001`, as KONA only names a card after verification;
 * card-status answers `003_021` for a PAR the member does not have and `003_022` for a terminated
 * card, and otherwise records the new state in `book`; card-limit-update records the new limits of
 * the member's card (any PAR succeeds, as before); card-list lists the member's cards with the
 * recorded changes, restricted to `par` / `physicalCardNo` when given.
 */
export function answerFor(request: KonaRequest, book: CardBook): MemberAnswer {
  const fixed = memberOf(request.userId)?.answers[request.endpoint];
  if (fixed !== undefined) return fixed;
  const cards = (): SandboxCard[] => book.cardsOf(request.userId, cardSetOf(request.userId));
  switch (request.endpoint) {
    case 'namedcard':
      return request.isCheckNamedYn === 'N' ? MISSING_IDENTITY : SUCCESS;
    case 'card-limit-update': {
      const { once, day, month } = request.limits;
      const limits = { once: Number(once), day: Number(day), month: Number(month) };
      if (cards().some((card) => card.par === request.par)) {
        book.setLimits(request.userId, request.par, limits);
      }
      return SUCCESS;
    }
    case 'card-list': {
      const listed = cards().filter(
        (card) =>
          (request.par === undefined || card.par === request.par) &&
          (request.physicalCardNo === undefined || card.physicalCardNo === request.physicalCardNo),
      );
      return { ...SUCCESS, fields: { cardDataInfo: listed.map(wireCard) } };
    }
    case 'card-status': {
      const card = cards().find((candidate) => candidate.par === request.par);
      if (card === undefined) return PAR_NOT_FOUND;
      if (card.status === 'TERMINATED') return CARD_TERMINATED;
      book.setStatus(
        request.userId,
        request.par,
        request.status === 'SUSPEND' ? 'SUSPENDED' : 'ACTIVE',
      );
      return SUCCESS;
    }
  }
}

function memberOf(userId: string): TestMember | undefined {
  return TEST_MEMBERS.find((candidate) => candidate.userId === userId);
}
