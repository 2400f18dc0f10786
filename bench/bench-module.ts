import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { WorkflowRegistry } from '../src/workflow/workflow.registry.js';

@Injectable()
class BenchRegistrations implements OnModuleInit {
  constructor(private readonly registry: WorkflowRegistry) {}
  onModuleInit(): void {
    this.registry.registerForm('approval', { decisions: ['approve', 'reject'] });
    this.registry.allowAdministrativeStart('bench');
  }
}

/** What a domain registers for the benchmark flow: its one form; its cases are started by the system admin. */
@Module({ providers: [BenchRegistrations] })
export class BenchModule {}
