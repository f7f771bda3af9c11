import { ApiProperty } from '@nestjs/swagger';
import { IsRequiredBoolean } from '../../common/validation/field-rules';

export class RealNameRegistrationRequest {
  @ApiProperty({
    description: "Whether the member's real name or linked bank account has been verified.",
    example: true,
  })
  @IsRequiredBoolean()
  identityVerified!: boolean;
}

export class RealNameRegistrationResponse {
  // A plain boolean, not `enum: [true]`: single-value boolean enums break code generators.
  @ApiProperty({
    type: 'boolean',
    description: 'Always true: a refused registration is a problem answer, never false here.',
    example: true,
  })
  realNameRegistered!: boolean;
}
