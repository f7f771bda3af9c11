import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { OperationsModule } from '../operations/operations.module';
import { RealNameRegistrationController } from './real-name-registration.controller';

@Module({
  imports: [AuthModule, OperationsModule],
  controllers: [RealNameRegistrationController],
})
export class WalletModule {}
