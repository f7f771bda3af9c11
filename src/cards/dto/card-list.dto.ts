import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AMOUNT_SCHEMA, MAX_LIMIT } from './card-limits.dto';

const amount = (description: string) =>
  ApiProperty({ ...AMOUNT_SCHEMA, description, maximum: MAX_LIMIT, example: 150000 });

export class CardLimitsView {
  @amount('Per-transaction limit in KRW; 0 = unlimited.')
  perTransaction!: number;

  @amount('Daily limit in KRW; 0 = unlimited.')
  daily!: number;

  @amount('Monthly limit in KRW; 0 = unlimited.')
  monthly!: number;
}

export class CardView {
  @ApiProperty({
    description: 'Payment Account Reference: the card in every other route.',
    pattern: '^[A-Za-z0-9]{27}$',
    example: 'V0010013019123456789012345A',
  })
  par!: string;

  @ApiProperty({ description: 'Registered under the real name (a higher balance limit).' })
  named!: boolean;

  @amount('Balance in KRW.')
  balance!: number;

  @amount("Top-ups queued because they would exceed the card's balance limit, in KRW.")
  pendingAmount!: number;

  @ApiPropertyOptional({ type: CardLimitsView, description: 'Payment limits (debit cards only).' })
  limits?: CardLimitsView;

  @ApiPropertyOptional({
    enum: ['active', 'suspended'],
    description: 'Present only when KONA PLATE reports the card state.',
  })
  status?: 'active' | 'suspended';
}

export class CardListResponse {
  @ApiProperty({ type: [CardView] })
  cards!: CardView[];
}
