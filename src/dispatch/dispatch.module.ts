import { Module } from '@nestjs/common';
import { StampsModule } from '../stamps/stamps.module.js';
import { DispatchController, DisputeController, ReceivedWorkController } from './dispatch.controller.js';
import { DispatchCountsController } from './dispatch-counts.controller.js';
import { DispatchCountsService } from './dispatch-counts.service.js';
import { CoverageGatherer } from './dispatch-coverage-gather.js';
import { DispatchSendService } from './dispatch-send.service.js';
import { DispatchesService } from './dispatches.service.js';
import { DisputeReads } from './dispute-reads.service.js';
import { DisputeService } from './dispute.service.js';
import { DisputesController } from './disputes.controller.js';
import { ReceivedWorkService } from './received-work.service.js';

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
  providers: [
    CoverageGatherer,
    DispatchSendService,
    DispatchesService,
    ReceivedWorkService,
    DisputeService,
    DisputeReads,
    DispatchCountsService,
  ],
})
export class DispatchModule {}
