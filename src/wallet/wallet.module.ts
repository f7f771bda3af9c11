import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { KonaplateModule } from '../konaplate/konaplate.module';
import { RealNameRegistrationController } from './real-name-registration.controller';
import { RealNameRegistrationService } from './real-name-registration.service';

@Module({
  imports: [AuthModule, IdempotencyModule, KonaplateModule],
  controllers: [RealNameRegistrationController],
  providers: [RealNameRegistrationService],
})
export class WalletModule {}
