import { Module } from '@nestjs/common';
import { StampsModule } from '../stamps/stamps.module.js';
import { DispatchController, ReceivedWorkController } from './dispatch.controller.js';
import { DispatchService } from './dispatch.service.js';

/** Dispatched work (派单), its coverage, and the committee's received-work inbox (issue 14). */
@Module({
  imports: [StampsModule],
  controllers: [DispatchController, ReceivedWorkController],
  providers: [DispatchService],
})
export class DispatchModule {}
