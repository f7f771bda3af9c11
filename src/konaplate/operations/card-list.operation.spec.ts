import { parse } from 'lossless-json';
import { CARD_LIST } from './card-list.operation';
import { UnreadableAnswerError } from './kona-operation';

const PAR = 'V0010013019123456789012345A';
/** KONA's answer fields as the client hands them over: parsed losslessly. */
const fields = (json: string) => parse(json) as Record<string, unknown>;
const card = (extra: string) =>
  `{"par":"${PAR}","balance":1250000,"pendingAmount":180000,"isNamed":false${extra}}`;

describe('CARD_LIST answer', () => {
  it('maps a debit card field by field, limits renamed to the mobile names', () => {
    // Act
    const answer = CARD_LIST.answer(
      fields(`{"cardDataInfo":[${card(',"limits":{"once":1,"day":20,"month":300}')}]}`),
      {},
    );

    // Assert
    expect(answer).toEqual({
      cards: [
        {
          par: PAR,
          named: false,
          balance: 1250000,
          pendingAmount: 180000,
          limits: { perTransaction: 1, daily: 20, monthly: 300 },
        },
      ],
    });
  });

  it('drops every field KONA does not document, and a status other than ACTIVE or SUSPENDED', () => {
    // Act
    const answer = CARD_LIST.answer(
      fields(`{"cardDataInfo":[${card(',"status":"TERMINATED","cardNo":"9410","points":7')}]}`),
      {},
    );

    // Assert
    expect(Object.keys(answer.cards[0]).sort()).toEqual([
      'balance',
      'named',
      'par',
      'pendingAmount',
    ]);
  });

  it.each([
    ['ACTIVE', 'active'],
    ['SUSPENDED', 'suspended'],
  ])('reads KONA status %s as %s', (kona, mobile) => {
    // Act
    const answer = CARD_LIST.answer(
      fields(`{"cardDataInfo":[${card(`,"status":"${kona}"`)}]}`),
      {},
    );

    // Assert
    expect(answer.cards[0].status).toBe(mobile);
  });

  it('does not take "constructor" for a status (no prototype lookups)', () => {
    // Act
    const answer = CARD_LIST.answer(
      fields(`{"cardDataInfo":[${card(',"status":"constructor"')}]}`),
      {},
    );

    // Assert
    expect(answer.cards[0]).not.toHaveProperty('status');
  });

  it('answers an empty list for a member without cards, and for an answer without the list', () => {
    expect(CARD_LIST.answer(fields('{"cardDataInfo":[]}'), {})).toEqual({ cards: [] });
    expect(CARD_LIST.answer(fields('{"code":"000_000"}'), {})).toEqual({ cards: [] });
  });

  it('keeps the largest balance KONA documents exact (9999999999, beyond 32 bits)', () => {
    // Act
    const answer = CARD_LIST.answer(
      fields(`{"cardDataInfo":[{"par":"${PAR}","balance":9999999999,"isNamed":true}]}`),
      {},
    );

    // Assert
    expect(answer.cards[0].balance).toBe(9_999_999_999);
    expect(answer.cards[0].pendingAmount).toBe(0);
  });

  it.each([
    ['a list that is not a list', '{"cardDataInfo":{}}'],
    ['a card that is not an object', '{"cardDataInfo":[7]}'],
    ['a PAR of the wrong length', `{"cardDataInfo":[{"par":"V001","balance":1,"isNamed":true}]}`],
    ['a balance with a fraction', `{"cardDataInfo":[${card('').replace('1250000', '0.5')}]}`],
    [
      'a balance above KONA range',
      `{"cardDataInfo":[${card('').replace('1250000', '10000000000')}]}`,
    ],
    ['a balance written as a string', `{"cardDataInfo":[${card('').replace('1250000', '"1"')}]}`],
    ['a missing isNamed', `{"cardDataInfo":[{"par":"${PAR}","balance":1}]}`],
    ['limits missing a field', `{"cardDataInfo":[${card(',"limits":{"once":1,"day":2}')}]}`],
  ])('refuses %s as unreadable rather than guess', (_, json) => {
    expect(() => CARD_LIST.answer(fields(json), {})).toThrow(UnreadableAnswerError);
  });
});
