import { Module } from '@nestjs/common';
import { MyStampLogController, StampLogController } from './stamp-log.controller.js';
import { StampLogService } from './stamp-log.service.js';
import { StampRegistryService } from './stamp-registry.service.js';
import { StampsController } from './stamps.controller.js';

/**
 * The stamp registry (盖章证明事项清单): versioned lists at every level and the public search and check; the
 * committee's stamp log (用印登记) and what the street and district read of it.
 */
@Module({
  controllers: [StampsController, MyStampLogController, StampLogController],
  providers: [StampRegistryService, StampLogService],
  exports: [StampRegistryService],
})
export class StampsModule {}
