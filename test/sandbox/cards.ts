/**
 * The members' cards, as Search for Card (card-list) answers them, and what the sandbox remembers of
 * the changes made to them (card-status suspensions, card-limit-update limits).
 */

/** KONA's card states: the admin card list names ACTIVE and SUSPENDED; a terminated card is final. */
export type CardState = 'ACTIVE' | 'SUSPENDED' | 'TERMINATED';

/** KONA's payment limits of a debit card, in KRW. */
export interface CardLimits {
  once: number;
  day: number;
  month: number;
}

/** One card of a member's set, before the member's remembered changes. */
export interface SandboxCard {
  par: string;
  /** The 16-digit card number a list request may name (`physicalCardNo`); answered masked only. */
  physicalCardNo: string;
  kind: 'debit' | 'prepaid';
  isNamed: boolean;
  balance: number;
  /** Top-ups queued because they would exceed the card's limit. */
  pendingAmount: number;
  /** Debit cards only. */
  limits?: CardLimits;
  status: CardState;
  /** Not documented by KONA: a gateway must drop it. */
  productCode: string;
  /** Not documented by KONA. */
  productName: string;
  /** Not documented by KONA: yyyyMM. */
  expiryDate: string;
}

/** The PAR of the default set's named debit card, which the gateway tests and `npm run dev` use. */
export const DEFAULT_PAR = 'V0010013019123456789012345A';
/** The default set's unnamed prepaid card (pending top-ups, no limits). */
export const PREPAID_PAR = 'V0010013019123456789012345P';
/** The default set's terminated debit card: card-status answers it `003_022`. */
export const TERMINATED_PAR = 'V0010013019123456789012345T';

/** The cards of every member without a set of its own. */
export const DEFAULT_CARDS: readonly SandboxCard[] = [
  {
    par: DEFAULT_PAR,
    physicalCardNo: '9410123456781234',
    kind: 'debit',
    isNamed: true,
    balance: 1_250_000,
    pendingAmount: 0,
    limits: { once: 500_000, day: 1_000_000, month: 3_000_000 },
    status: 'ACTIVE',
    productCode: 'KBD-DEBIT-01',
    productName: 'KONA Sandbox Debit',
    expiryDate: '202912',
  },
  {
    par: PREPAID_PAR,
    physicalCardNo: '9410123456785678',
    kind: 'prepaid',
    isNamed: false,
    balance: 480_000,
    pendingAmount: 20_000,
    status: 'ACTIVE',
    productCode: 'KBP-PREPAID-01',
    productName: 'KONA Sandbox Prepaid',
    expiryDate: '203006',
  },
  {
    par: TERMINATED_PAR,
    physicalCardNo: '9410123456789012',
    kind: 'debit',
    isNamed: true,
    balance: 0,
    pendingAmount: 0,
    limits: { once: 300_000, day: 600_000, month: 1_000_000 },
    status: 'TERMINATED',
    productCode: 'KBD-DEBIT-01',
    productName: 'KONA Sandbox Debit',
    expiryDate: '202701',
  },
];

/** A card as Search for Card writes it in `cardDataInfo`: documented fields, then extra ones. */
export function wireCard(card: SandboxCard): Record<string, unknown> {
  const documented: Record<string, unknown> = {
    par: card.par,
    balance: card.balance,
    pendingAmount: card.pendingAmount,
    isNamed: card.isNamed,
  };
  if (card.limits !== undefined) documented.limits = { ...card.limits };
  return {
    ...documented,
    status: card.status,
    // Undocumented (product info, expiry, card number, points, linked account): to be dropped.
    productCode: card.productCode,
    productName: card.productName,
    cardType: card.kind === 'debit' ? 'DEBIT' : 'PREPAID',
    cardNo: maskCardNo(card.physicalCardNo),
    expiryDate: card.expiryDate,
    pointBalance: 1200,
    linkedAccount: card.kind === 'debit' ? { bankCode: '004', accountNo: '123-***-**7890' } : null,
  };
}

/** `9410-12**-****-1234`: the first six and last four digits, as card slips print them. */
function maskCardNo(number: string): string {
  return `${number.slice(0, 4)}-${number.slice(4, 6)}**-****-${number.slice(12)}`;
}

interface CardChanges {
  status?: 'ACTIVE' | 'SUSPENDED';
  limits?: CardLimits;
}

/**
 * What the sandbox remembers per member and PAR: suspensions and limit updates, so a later list
 * shows them. Bounded (oldest member-card dropped first) so a soak run cannot grow it without limit.
 */
export class CardBook {
  private readonly changes = new Map<string, CardChanges>();

  constructor(private readonly capacity = 100_000) {}

  /** The member's cards with its remembered changes applied. */
  cardsOf(userId: string, set: readonly SandboxCard[]): SandboxCard[] {
    return set.map((card) => {
      const changed = this.changes.get(key(userId, card.par));
      if (changed === undefined) return { ...card };
      const current: SandboxCard = { ...card };
      if (changed.status !== undefined && card.status !== 'TERMINATED') {
        current.status = changed.status;
      }
      if (changed.limits !== undefined && card.limits !== undefined) {
        current.limits = { ...changed.limits };
      }
      return current;
    });
  }

  /** Records a suspension (SUSPENDED) or its lifting (ACTIVE). */
  setStatus(userId: string, par: string, status: 'ACTIVE' | 'SUSPENDED'): void {
    this.update(userId, par, { status });
  }

  /** Records new limits. */
  setLimits(userId: string, par: string, limits: CardLimits): void {
    this.update(userId, par, { limits: { ...limits } });
  }

  /** Forgets every change: every card is back to its set's state. */
  clear(): void {
    this.changes.clear();
  }

  private update(userId: string, par: string, change: CardChanges): void {
    const id = key(userId, par);
    const merged = { ...this.changes.get(id), ...change };
    // Re-inserted, so the Map's order is least recently changed first.
    this.changes.delete(id);
    this.changes.set(id, merged);
    if (this.changes.size > this.capacity) {
      const oldest = this.changes.keys().next();
      if (oldest.done !== true) this.changes.delete(oldest.value);
    }
  }
}

function key(userId: string, par: string): string {
  return `${userId}/${par}`;
}
