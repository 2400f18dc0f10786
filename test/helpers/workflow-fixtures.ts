import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { WorkflowRegistry } from '../../src/workflow/workflow.registry.js';

export const FIXTURE_WORKFLOWS = 'test/fixtures/workflows';

class ReviewForm {
  @IsOptional() @IsString() @MaxLength(200) opinion?: string;
  @IsOptional() @IsInt() @Min(0) score?: number;
}

/** What a domain would register for the test flow: its forms and the service task's handler. */
@Injectable()
class FixtureRegistrations implements OnModuleInit {
  constructor(private readonly registry: WorkflowRegistry) {}

  onModuleInit(): void {
    this.registry.registerForm('approval', { decisions: ['approve', 'reject'] });
    this.registry.registerForm('review', { decisions: ['approve', 'return', 'reject'], dto: ReviewForm });
    this.registry.registerForm('resubmit', { decisions: ['resubmit'] });
    this.registry.registerForm('countersign', { decisions: ['approve', 'reject'] });
    this.registry.allowAdministrativeStart('review');
    this.registry.registerService('testPublish', async (ctx) => {
      const broken = await ctx.manager.query(`SELECT 1 FROM system_setting WHERE key = 'test-register-down'`);
      if (broken.length) {
        await ctx.manager.query(
          `INSERT INTO system_setting (key, value) VALUES ('half-written-' || $1, 'x')`,
          [ctx.instance.id],
        );
        throw new Error('the register is not reachable');
      }
      await ctx.manager.query(`INSERT INTO system_setting (key, value) VALUES ('published-' || $1, 'yes')`, [
        ctx.instance.id,
      ]);
      ctx.variables.publishedAt = new Date().toISOString();
      return { published: true };
    });
  }
}

@Module({ providers: [FixtureRegistrations] })
export class FixtureWorkflowModule {}
