/**
 * The one-pass pipe against Nest's ValidationPipe with the options it replaced: for each input,
 * the same instance (class and fields) or the same VALIDATION_FAILED problem.
 */
import type { ArgumentMetadata } from '@nestjs/common';
import { ValidationPipe } from '@nestjs/common';
import { CardLimitsRequest } from '../../cards/dto/card-limits.dto';
import { CardPath } from '../../cards/dto/card-path.dto';
import { CardStatusRequest } from '../../cards/dto/card-status.dto';
import { RealNameRegistrationRequest } from '../../wallet/dto/real-name-registration.dto';
import { DomainError } from '../errors/domain.error';
import { strictValidationPipe } from './validation.pipe';

const before = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  validationError: { target: false, value: false },
  stopAtFirstError: true,
  exceptionFactory: (errors) => errors,
});

/** What a pipe makes of `value`: the instance, or the field errors it refused it with. */
async function outcome(
  pipe: { transform(v: unknown, m: ArgumentMetadata): unknown },
  value: unknown,
  metadata: ArgumentMetadata,
) {
  try {
    const result = (await pipe.transform(structuredClone(value), metadata)) as object;
    return { class: result.constructor.name, fields: { ...result } };
  } catch (error) {
    return error instanceof DomainError ? { errors: error.details.errors } : { thrown: error };
  }
}

/** Nest's errors flattened as validation.pipe.ts flattens them, for the comparison. */
async function expected(value: unknown, metadata: ArgumentMetadata) {
  const result = await outcome(before, value, metadata);
  if (!('thrown' in result) || !Array.isArray(result.thrown)) return result;
  const errors = (
    result.thrown as { property: string; constraints?: Record<string, string> }[]
  ).flatMap((e) =>
    Object.values(e.constraints ?? {}).map((message) => ({ field: e.property, message })),
  );
  return { errors };
}

const limits = { type: 'body', metatype: CardLimitsRequest } as const;
const VALID = { perTransaction: 1, daily: 2, monthly: 3 };

it.each<[string, unknown, ArgumentMetadata]>([
  ['valid limits', VALID, limits],
  ['a missing limit', { daily: 2, monthly: 3 }, limits],
  ['a string limit', { ...VALID, daily: '2' }, limits],
  ['null and out of range', { ...VALID, daily: null, monthly: -1 }, limits],
  ['an unknown field', { ...VALID, extra: 1 }, limits],
  ['an unknown nested object', { ...VALID, extra: { a: 1 } }, limits],
  ['an empty body', {}, limits],
  ['a valid PAR', { par: 'V0010013019123456789012345A' }, { type: 'param', metatype: CardPath }],
  ['a short PAR', { par: 'V001' }, { type: 'param', metatype: CardPath }],
  ['a status', { status: 'active' }, { type: 'body', metatype: CardStatusRequest }],
  ['a bad status', { status: 'SUSPEND' }, { type: 'body', metatype: CardStatusRequest }],
  [
    'a string boolean',
    { identityVerified: 'true' },
    { type: 'body', metatype: RealNameRegistrationRequest },
  ],
  ['null (not an object)', null, limits],
  ['an array', [VALID], limits],
])('answers %s as ValidationPipe did', async (_, value, metadata) => {
  expect(await outcome(strictValidationPipe(), value, metadata)).toEqual(
    await expected(value, metadata),
  );
});
