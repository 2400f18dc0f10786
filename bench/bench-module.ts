import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { WorkflowRegistry } from '../src/workflow/workflow.registry.js';

@Injectable()
class BenchRegistrations implements OnModuleInit {
  constructor(private readonly registry: WorkflowRegistry) {}
  onModuleInit(): void {
    this.registry.registerForm('approval', { decisions: ['approve', 'reject'] });
  }
}

/** What a domain registers for the benchmark flow: its one form. */
@Module({ providers: [BenchRegistrations] })
export class BenchModule {}
