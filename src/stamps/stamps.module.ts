import { Module } from '@nestjs/common';
import { StampChangeProposals } from './stamp-changes.js';
import { StampImportsController } from './stamp-import.controller.js';
import { StampImportsService } from './stamp-import.service.js';
import { StampListReads } from './stamp-list-reads.js';
import { MyStampLogController, StampLogController } from './stamp-log.controller.js';
import { StampLogService } from './stamp-log.service.js';
import { StampRosterService } from './stamp-roster.service.js';
import { StampProposalsController } from './stamp-proposals.controller.js';
import { StampProposalsService } from './stamp-proposals.service.js';
import { StampRegistryMemory } from './stamp-registry-memory.js';
import { StampRegistryService } from './stamp-registry.service.js';
import { StampSampleFormsController } from './stamp-sample-forms.controller.js';
import { StampSampleFormsService } from './stamp-sample-forms.service.js';
import { StampWorkflow } from './stamp-workflow.js';
import { StampsController } from './stamps.controller.js';

/**
 * The stamp registry (盖章证明事项清单): versioned lists at every level, the public search and check, and changes
 * as an approval flow; the committee's stamp log (用印登记) and what the street and district read of it.
 */
@Module({
  controllers: [
    StampsController,
    StampProposalsController,
    StampImportsController,
    MyStampLogController,
    StampLogController,
    StampSampleFormsController,
  ],
  providers: [
    StampRegistryMemory,
    StampRegistryService,
    StampProposalsService,
    { provide: StampChangeProposals, useExisting: StampProposalsService },
    StampListReads,
    StampWorkflow,
    StampLogService,
    StampRosterService,
    StampImportsService,
    StampSampleFormsService,
  ],
  exports: [StampRegistryService, StampChangeProposals],
})
export class StampsModule {}
