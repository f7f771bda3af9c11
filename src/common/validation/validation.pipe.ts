import type { ValidationError } from '@nestjs/common';
import { ValidationPipe } from '@nestjs/common';
import { DomainError, type FieldError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';

/**
 * Strict validation for every body and path: unknown fields are refused, nothing is coerced
 * (the string "100" is not a number), and failures become VALIDATION_FAILED with one entry per field.
 * Each field has one constraint that checks presence, then type, then range (field-rules.ts), so
 * its one message names the real problem ("daily must be an integer number" for "x" or null).
 */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: true,
    exceptionFactory: (errors) =>
      new DomainError(ErrorCode.ValidationFailed, {
        detail: 'The request has invalid fields; see errors.',
        errors: flatten(errors),
      }),
  });
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
