import { Module } from '@nestjs/common';
import { StampImportsController } from './stamp-import.controller.js';
import { StampImportsService } from './stamp-import.service.js';
import { StampRegistryService } from './stamp-registry.service.js';
import { StampsController } from './stamps.controller.js';

/** The stamp registry (盖章证明事项清单): versioned lists at every level and the public search and check. */
@Module({
  controllers: [StampsController, StampImportsController],
  providers: [StampRegistryService, StampImportsService],
  exports: [StampRegistryService],
})
export class StampsModule {}
