import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { OperationsModule } from '../operations/operations.module';
import { CardLimitsController } from './card-limits.controller';
import { CardListController } from './card-list.controller';
import { CardStatusController } from './card-status.controller';

@Module({
  imports: [AuthModule, OperationsModule],
  controllers: [CardListController, CardLimitsController, CardStatusController],
})
export class CardsModule {}
