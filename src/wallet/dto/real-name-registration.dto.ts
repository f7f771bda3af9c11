import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

export class RealNameRegistrationRequest {
  @ApiProperty({
    description: "Whether the member's real name or linked bank account has been verified.",
    example: true,
  })
  @IsBoolean()
  identityVerified!: boolean;
}

export class RealNameRegistrationResponse {
  @ApiProperty({ enum: [true], example: true })
  realNameRegistered!: true;
}
