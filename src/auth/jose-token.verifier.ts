import { Inject, Injectable } from '@nestjs/common';
import type { JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { AppConfig, AuthSettings } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import type { MemberId } from '../members/member-id';
import { parseMemberId } from '../members/member-id';
import { TokenVerifier } from './token-verifier';

/**
 * Verifies JWTs with jose. Algorithms are pinned per key source (HS256 for a shared secret,
 * RS256/ES256 for a JWKS), so `none` and algorithm-confusion tokens never verify; `exp` is required.
 */
@Injectable()
export class JoseTokenVerifier extends TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly options: JWTVerifyOptions;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    const auth: AuthSettings = config.auth;
    this.key = auth.jwtSecret
      ? new TextEncoder().encode(auth.jwtSecret)
      : createRemoteJWKSet(new URL(auth.jwksUrl ?? ''), { timeoutDuration: 2000 });
    this.options = {
      algorithms: auth.jwtSecret ? ['HS256'] : ['RS256', 'ES256'],
      issuer: auth.issuer,
      audience: auth.audience,
      requiredClaims: ['exp'],
      clockTolerance: 5,
    };
    this.claim = auth.userIdClaim;
  }

  private readonly claim: string;

  async verify(token: string): Promise<MemberId> {
    const { payload } =
      typeof this.key === 'function'
        ? await jwtVerify(token, this.key, this.options)
        : await jwtVerify(token, this.key, this.options);
    const memberId = parseMemberId(payload[this.claim]);
    if (!memberId) throw new Error(`claim "${this.claim}" is not a member id`);
    return memberId;
  }
}
