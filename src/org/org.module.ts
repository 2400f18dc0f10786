import { Module } from '@nestjs/common';
import { AdminController } from './admin.controller.js';
import { LevelUnitsService } from './level-units.service.js';
import { OrgController } from './org.controller.js';
import { OrgService } from './org.service.js';
import { UsersService } from './users.service.js';
import { WorkflowGroups } from './workflow-groups.js';

@Module({
  providers: [OrgService, UsersService, WorkflowGroups, LevelUnitsService],
  controllers: [OrgController, AdminController],
  exports: [OrgService],
})
export class OrgModule {}
