import { Module } from '@nestjs/common';
import { AuthGuard } from './auth.guard';
import { JoseTokenVerifier } from './jose-token.verifier';
import { TokenVerifier } from './token-verifier';

@Module({
  providers: [AuthGuard, { provide: TokenVerifier, useClass: JoseTokenVerifier }],
  exports: [AuthGuard, TokenVerifier],
})
export class AuthModule {}
