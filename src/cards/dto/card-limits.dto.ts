import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';

/** KONA's limit range (Modification of the Card's Limit: 0 … 9999999999 KRW, 0 = unlimited). */
export const MAX_LIMIT = 9_999_999_999;

const limit = (description: string) =>
  ApiProperty({
    description: `${description} in KRW; 0 = unlimited.`,
    minimum: 0,
    maximum: MAX_LIMIT,
    type: 'integer',
    example: 500000,
  });

export class CardLimitsRequest {
  @limit('Per-transaction limit')
  @IsInt()
  @Min(0)
  @Max(MAX_LIMIT)
  perTransaction!: number;

  @limit('Daily limit')
  @IsInt()
  @Min(0)
  @Max(MAX_LIMIT)
  daily!: number;

  @limit('Monthly limit')
  @IsInt()
  @Min(0)
  @Max(MAX_LIMIT)
  monthly!: number;
}

export class CardLimitsResponse {
  @ApiProperty({ type: CardLimitsRequest })
  limits!: CardLimitsRequest;
}
