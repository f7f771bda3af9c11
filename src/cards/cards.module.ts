import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { KonaplateModule } from '../konaplate/konaplate.module';
import { CardLimitsController } from './card-limits.controller';
import { CardLimitsService } from './card-limits.service';

@Module({
  imports: [AuthModule, IdempotencyModule, KonaplateModule],
  controllers: [CardLimitsController],
  providers: [CardLimitsService],
})
export class CardsModule {}
