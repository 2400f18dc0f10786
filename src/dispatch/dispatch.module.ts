import { Module } from '@nestjs/common';
import { StampsModule } from '../stamps/stamps.module.js';
import { DispatchController, DisputeController, ReceivedWorkController } from './dispatch.controller.js';
import { DispatchCountsController } from './dispatch-counts.controller.js';
import { DispatchCountsService } from './dispatch-counts.service.js';
import { DispatchService } from './dispatch.service.js';
import { DisputeService } from './dispute.service.js';

/** Dispatched work (派单), its coverage, and the committee's received-work inbox (issue 14). */
@Module({
  imports: [StampsModule],
  controllers: [DispatchController, DisputeController, ReceivedWorkController, DispatchCountsController],
  providers: [DispatchService, DisputeService, DispatchCountsService],
})
export class DispatchModule {}
