import { ApiProperty } from '@nestjs/swagger';
import { IsWholeAmount } from '../../common/validation/field-rules';

/** KONA's limit range (Modification of the Card's Limit: 0 … 9999999999 KRW, 0 = unlimited). */
export const MAX_LIMIT = 9_999_999_999;

/**
 * An amount in KRW as the contract states it: an integer that needs 64 bits (9999999999 is over
 * 2^31, so a generator must not make it an Int).
 */
export const AMOUNT_SCHEMA = { type: 'integer', format: 'int64', minimum: 0 } as const;

const limit = (description: string) =>
  ApiProperty({
    ...AMOUNT_SCHEMA,
    description: `${description} in KRW; 0 = unlimited.`,
    maximum: MAX_LIMIT,
    example: 500000,
  });

export class CardLimitsRequest {
  @limit('Per-transaction limit')
  @IsWholeAmount(0, MAX_LIMIT)
  perTransaction!: number;

  @limit('Daily limit')
  @IsWholeAmount(0, MAX_LIMIT)
  daily!: number;

  @limit('Monthly limit')
  @IsWholeAmount(0, MAX_LIMIT)
  monthly!: number;
}

export class CardLimitsResponse {
  @ApiProperty({ type: CardLimitsRequest })
  limits!: CardLimitsRequest;
}
