import { Logger } from '@nestjs/common';
import { DomainError } from '../common/errors/domain.error';

/** The DomainError a promise rejects with; fails the test when it resolves or rejects otherwise. */
export async function failureOf(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, but the promise resolved');
}

/** Keep test output to jest's own: the services log warnings and debug lines on purpose. */
export function silenceNestLogger(): void {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
}
