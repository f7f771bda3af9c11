import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Matches, Max, Min } from 'class-validator';

/** KONA's limit range (Modification of the Card's Limit: 0 … 9999999999 KRW, 0 = unlimited). */
const MAX_LIMIT = 9_999_999_999;

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

export const PAR_PATTERN = /^[A-Za-z0-9]{27}$/;

export class CardPath {
  @ApiProperty({
    description: 'Payment Account Reference of the card: exactly 27 letters and digits.',
    pattern: PAR_PATTERN.source,
    example: 'V0010013019123456789012345A',
  })
  @Matches(PAR_PATTERN, { message: 'par must be exactly 27 letters and digits' })
  par!: string;
}
