import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorCode } from '../common/errors/error-code';

export class FieldErrorSchema {
  @ApiProperty({ example: 'daily' })
  field!: string;

  @ApiProperty({ example: 'daily must be an integer number' })
  message!: string;
}

/** RFC 9457 problem details as the gateway sends them (application/problem+json). */
export class ProblemSchema {
  @ApiProperty({ format: 'uri', example: 'https://kona-bff.dev/problems/validation-failed' })
  type!: string;

  @ApiProperty({ example: 'The request is not valid' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 400 })
  status!: number;

  @ApiProperty({ example: 'The request has invalid fields; see errors.' })
  detail!: string;

  // With a description of its own, the `allOf: [$ref]` Nest writes for a named enum is not a bare
  // one-schema composition (redocly's no-illogical-composition-keywords flags that).
  @ApiProperty({
    enum: ErrorCode,
    enumName: 'ErrorCode',
    description:
      'Stable, machine-readable code; each response lists the ones it can carry in x-problem-codes.',
  })
  code!: ErrorCode;

  @ApiPropertyOptional({
    description: 'KONA correlation id of the upstream call, when one was made.',
    example: '261122143005-0a1b2c3',
  })
  correlationId?: string;

  @ApiPropertyOptional({
    description: "KONA's result code, when KONA answered with one.",
    example: '001_006',
  })
  upstreamCode?: string;

  @ApiPropertyOptional({
    description:
      'The X-Request-Id of the request this problem answers (absent on a replayed answer, which answered an earlier request).',
    example: 'c1f2a3b4-5d6e-4f70-8a9b-0c1d2e3f4a5b',
  })
  requestId?: string;

  @ApiPropertyOptional({ type: [FieldErrorSchema] })
  errors?: FieldErrorSchema[];
}
