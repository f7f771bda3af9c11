import type { ApiParamOptions } from '@nestjs/swagger';
import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export const PAR_PATTERN = /^[A-Za-z0-9]{27}$/;

const PAR_DESCRIPTION = 'Payment Account Reference of the card: exactly 27 letters and digits.';

/** The `{par}` path value, as every card route documents it. */
export const PAR_PARAM: ApiParamOptions = {
  name: 'par',
  description: PAR_DESCRIPTION,
  schema: { type: 'string', pattern: PAR_PATTERN.source, minLength: 27, maxLength: 27 },
};

export class CardPath {
  @ApiProperty({
    description: PAR_DESCRIPTION,
    pattern: PAR_PATTERN.source,
    example: 'V0010013019123456789012345A',
  })
  @Matches(PAR_PATTERN, { message: 'par must be exactly 27 letters and digits' })
  par!: string;
}
