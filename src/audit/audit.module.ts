import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';
import { AuditSealer } from './audit-sealer.service.js';
import { AuditVerifier } from './audit-verifier.service.js';
import { AuditService } from './audit.service.js';

@Global()
@Module({
  providers: [AuditService, AuditVerifier, AuditSealer],
  controllers: [AuditController],
  exports: [AuditService],
})
export class AuditModule {}
