import { ApiProperty } from '@nestjs/swagger';
import { IsOneOf } from '../../common/validation/field-rules';
import type { CardState } from '../../konaplate/operations/card-status.operation';

const STATES: readonly CardState[] = ['suspended', 'active'];

export class CardStatusRequest {
  @ApiProperty({
    enum: STATES,
    description: '`suspended` stops a lost card at once; `active` lifts the stop.',
    example: 'suspended',
  })
  @IsOneOf(STATES)
  status!: CardState;
}

export class CardStatusResponse {
  @ApiProperty({ enum: STATES, example: 'suspended' })
  status!: CardState;
}
