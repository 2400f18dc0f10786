import { type DynamicModule, Global, Module, type Type } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AdmissionModule } from './admission/admission.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { HealthController } from './common/health.controller.js';
import { HealthService } from './common/health.service.js';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { OrgModule } from './org/org.module.js';
import { StampsModule } from './stamps/stamps.module.js';
import { DispatchModule } from './dispatch/dispatch.module.js';
import { WorkflowModule } from './workflow/workflow.module.js';

/** Holds what start-up resolved outside Nest: the configuration and the migrated, initialized data source. */
@Global()
@Module({})
class CoreModule {
  static register(config: AppConfig, dataSource: DataSource): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: DataSource, useValue: dataSource },
      ],
      exports: [APP_CONFIG, DataSource],
    };
  }
}

@Module({})
export class AppModule {
  static register(config: AppConfig, dataSource: DataSource, extraModules: Type[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.register(config, dataSource),
        AuditModule,
        AuthModule,
        WorkflowModule,
        OrgModule,
        AdmissionModule,
        StampsModule,
        DispatchModule,
        ...extraModules,
      ],
      controllers: [HealthController],
      providers: [HealthService],
    };
  }
}
