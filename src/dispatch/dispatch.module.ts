import { Module } from '@nestjs/common';
import { StampsModule } from '../stamps/stamps.module.js';
import { DispatchController, DisputeController, ReceivedWorkController } from './dispatch.controller.js';
import { DispatchCountsController } from './dispatch-counts.controller.js';
import { DispatchCountsService } from './dispatch-counts.service.js';
import { DispatchService } from './dispatch.service.js';
import { DisputeReads } from './dispute-reads.service.js';
import { DisputeService } from './dispute.service.js';
import { DisputesController } from './disputes.controller.js';

/** Dispatched work (派单), its coverage, and the committee's received-work inbox (issue 14). */
@Module({
  imports: [StampsModule],
  controllers: [
    DispatchController,
    DisputeController,
    DisputesController,
    ReceivedWorkController,
    DispatchCountsController,
  ],
  providers: [DispatchService, DisputeService, DisputeReads, DispatchCountsService],
})
export class DispatchModule {}
