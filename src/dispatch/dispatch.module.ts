import { Module } from '@nestjs/common';
import { StampsModule } from '../stamps/stamps.module.js';
import { DispatchController, DisputeController, ReceivedWorkController } from './dispatch.controller.js';
import { DispatchService } from './dispatch.service.js';
import { DisputeService } from './dispute.service.js';

/** Dispatched work (派单), its coverage, and the committee's received-work inbox (issue 14). */
@Module({
  imports: [StampsModule],
  controllers: [DispatchController, DisputeController, ReceivedWorkController],
  providers: [DispatchService, DisputeService],
})
export class DispatchModule {}
