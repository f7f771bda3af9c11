import type { PipeTransform } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';

/** Refuses a body that is not a JSON object (null, an array, a bare value, or no body at all). */
@Injectable()
export class JsonObjectPipe implements PipeTransform {
  transform(value: unknown): unknown {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new DomainError(ErrorCode.ValidationFailed, {
        detail: 'The body must be a JSON object.',
        errors: [{ field: '(body)', message: 'the body must be a JSON object' }],
      });
    }
    return value;
  }
}
