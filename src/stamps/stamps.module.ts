import { Module } from '@nestjs/common';
import { StampRegistryMemory } from './stamp-registry-memory.js';
import { StampRegistryService } from './stamp-registry.service.js';
import { StampsController } from './stamps.controller.js';

/** The stamp registry (盖章证明事项清单): versioned lists at every level and the public search and check. */
@Module({
  controllers: [StampsController],
  providers: [StampRegistryMemory, StampRegistryService],
  exports: [StampRegistryService],
})
export class StampsModule {}
