import type { KonaEndpoint } from './kona-endpoints';
import type { KonaRequest } from './validate-body';

/** A documented KONA answer: HTTP status, result code and its message. */
export interface KonaAnswer {
  status: number;
  code: string;
  description: string;
}

/** A member id with a fixed, documented answer (every other valid call succeeds). */
export interface TestMember {
  userId: string;
  /** One line for the README. */
  description: string;
  answers: Partial<Record<KonaEndpoint, KonaAnswer>>;
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
// A code KONA never documented, so gateways prove they handle the unknown.
const UNDOCUMENTED: KonaAnswer = {
  status: 400,
  code: '999_999',
  description: 'Sandbox undocumented error',
};

/** The test members, mirroring the "Test Data" cases of KONA's API pages. */
export const TEST_MEMBERS: readonly TestMember[] = [
  {
    userId: '1001006',
    description: '`001_006` Wallet user not found, on both endpoints',
    answers: { namedcard: WALLET_USER_NOT_FOUND, limitUpdate: WALLET_USER_NOT_FOUND },
  },
  {
    userId: '1011001',
    description: '`011_001` Missing identity verification, on namedcard (limit update succeeds)',
    answers: { namedcard: MISSING_IDENTITY },
  },
  {
    userId: '1003024',
    description: "`003_024` Don't have account info, on limit update (namedcard succeeds)",
    answers: { limitUpdate: NO_ACCOUNT },
  },
  {
    userId: '1000002',
    description: '`000_002` Invalid input parameter, on limit update (namedcard succeeds)',
    answers: { limitUpdate: INVALID_INPUT },
  },
  {
    userId: '1003999',
    description:
      'each endpoint answers the code documented only for the other (`003_024` on namedcard, `011_001` on limit update): codes mean different things per endpoint',
    answers: { namedcard: NO_ACCOUNT, limitUpdate: MISSING_IDENTITY },
  },
  {
    userId: '1999999',
    description:
      '`999_999` Sandbox undocumented error (a code KONA never lists), on both endpoints',
    answers: { namedcard: UNDOCUMENTED, limitUpdate: UNDOCUMENTED },
  },
];

/**
 * KONA's answer to a valid request. The member table comes first (a member that does not exist is
 * not found whatever the flag says); then namedcard with `isCheckNamedYn: "N"` is refused with
 * `011_001`, as KONA only names a card after verification; everything else succeeds.
 */
export function answerFor(request: KonaRequest): KonaAnswer {
  const member = TEST_MEMBERS.find((candidate) => candidate.userId === request.userId);
  const fixed = member?.answers[request.endpoint];
  if (fixed !== undefined) return fixed;
  if (request.endpoint === 'namedcard' && request.isCheckNamedYn === 'N') return MISSING_IDENTITY;
  return SUCCESS;
}
