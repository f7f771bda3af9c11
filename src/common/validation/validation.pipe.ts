import type { ArgumentMetadata, PipeTransform, ValidationError } from '@nestjs/common';
import { ValidationPipe } from '@nestjs/common';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { DomainError, type FieldError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';

/** What Nest's ValidationPipe was configured with before (whitelist, no unknown values, ...). */
const OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
  stopAtFirstError: true,
};

const PRIMITIVES: readonly unknown[] = [String, Boolean, Number, Array, Object, Buffer, Date];

/**
 * Strict validation for every body and path: unknown fields are refused, nothing is coerced
 * (the string "100" is not a number), and failures become VALIDATION_FAILED with one entry per field.
 * Each field has one constraint that checks presence, then type, then range (field-rules.ts), so
 * its one message names the real problem ("daily must be an integer number" for "x" or null).
 *
 * One synchronous class-validator pass over the already-parsed object, given the DTO's prototype
 * (which is where class-validator finds the decorators' metadata). Nest's ValidationPipe did the
 * same checks with a class-transformer copy (plainToInstance) and a promise per argument first:
 * the DTOs are flat, with no @Type or @Transform, so that copy changed nothing but the cost.
 */
export function strictValidationPipe(): PipeTransform {
  return new StrictValidationPipe();
}

/** The exception every validation failure becomes. */
const validationFailed = (errors: ValidationError[]) =>
  new DomainError(ErrorCode.ValidationFailed, {
    detail: 'The request has invalid fields; see errors.',
    errors: flatten(errors),
  });

/**
 * Nest's pipe with the same options, for what is not a plain object (no route gives it one: the
 * body is checked by JsonObjectPipe first, path params are an object), so even those answer as
 * before.
 */
const nestPipe = new ValidationPipe({
  ...OPTIONS,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  exceptionFactory: validationFailed,
});

class StrictValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const { metatype, type } = metadata;
    if (type === 'custom' || !metatype || PRIMITIVES.includes(metatype)) return value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return nestPipe.transform(value, metadata);
    }
    // The instance the handler receives, as ValidationPipe's `transform: true` gave it.
    const instance = Object.assign(Object.create(metatype.prototype as object) as object, value);
    // No __proto__ or constructor key can be here: the body parser refuses them.
    const errors = validateSync(instance, OPTIONS);
    if (errors.length > 0) throw validationFailed(errors);
    return instance;
  }
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field: field || '(body)',
      message: field ? message : 'the body must be a JSON object',
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
