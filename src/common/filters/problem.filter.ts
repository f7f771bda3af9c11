import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { Catch, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';
import { sendProblem } from '../problem/send-problem';
import { toDomainError } from './to-domain-error';

/**
 * The one place errors become HTTP: every error, expected or not, leaves as
 * application/problem+json; unexpected ones are logged and answered without internals.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = toDomainError(exception) ?? this.internal(exception);
    if (!reply.sent) sendProblem(reply, error);
  }

  private internal(exception: unknown): DomainError {
    this.logger.error({ err: exception }, 'unhandled error');
    return new DomainError(ErrorCode.Internal, { detail: 'An unexpected error occurred.' });
  }
}
