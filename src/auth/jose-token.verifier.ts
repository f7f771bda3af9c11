import { Inject, Injectable } from '@nestjs/common';
import { type KeyObject, createSecretKey } from 'node:crypto';
import type { JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { AppConfig, AuthSettings } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import type { MemberId } from '../members/member-id';
import { parseMemberId } from '../members/member-id';
import { TokenVerifier } from './token-verifier';
import { VerifiedTokenCache } from './verified-token.cache';

/**
 * Verifies JWTs with jose. Algorithms are pinned per key source (HS256 for a shared secret,
 * RS256/ES256 for a JWKS), so `none` and algorithm-confusion tokens never verify; `exp` is required.
 */
@Injectable()
export class JoseTokenVerifier extends TokenVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;
  private readonly options: JWTVerifyOptions;
  private readonly claim: string;
  private readonly verified = new VerifiedTokenCache();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    const auth: AuthSettings = config.auth;
    this.key = auth.jwtSecret
      ? createSecretKey(Buffer.from(auth.jwtSecret, 'utf8'))
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

  async verify(token: string): Promise<MemberId> {
    const known = this.verified.get(token);
    if (known) return known;
    // Two calls because jose's overloads take a key or a key getter, not their union.
    const { payload } =
      typeof this.key === 'function'
        ? await jwtVerify(token, this.key, this.options)
        : await jwtVerify(token, this.key, this.options);
    const memberId = parseMemberId(payload[this.claim]);
    if (!memberId) throw new Error(`claim "${this.claim}" is not a member id`);
    // `exp` is required, so it is there; the cache never outlives it.
    this.verified.set(token, memberId, (payload.exp ?? 0) * 1000);
    return memberId;
  }
}
