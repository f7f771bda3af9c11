import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/errors/domain.error';
import { ErrorCode } from '../common/errors/error-code';
import type { AuthenticatedRequest } from './authenticated-request';
import { TokenVerifier } from './token-verifier';

/** The scheme is case-insensitive (RFC 9110 §11.1); the token is a compact JWS. */
const BEARER = /^Bearer +([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*)$/i;

/** Lets a request through only with a valid bearer JWT naming a KONA member. */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(private readonly verifier: TokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) throw unauthenticated('A bearer token is required.', false);
    try {
      request.memberId = await this.verifier.verify(match[1]);
      return true;
    } catch (error) {
      // The reason is logged for operators, never the token itself.
      this.logger.warn(
        { reason: error instanceof Error ? error.message : 'unknown' },
        'token rejected',
      );
      throw unauthenticated('The bearer token is invalid or expired.', true);
    }
  }
}

function unauthenticated(detail: string, tokenGiven: boolean): DomainError {
  // RFC 6750 §3: name the error only when a token was presented.
  const challenge = tokenGiven ? 'Bearer error="invalid_token"' : 'Bearer';
  return new DomainError(ErrorCode.Unauthenticated, {
    detail,
    headers: { 'www-authenticate': challenge },
  });
}
