import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppError } from '../common/errors.js';
import type { CaseSubject, SubjectDescriber } from '../workflow/workflow.registry.js';
import { WorkflowRegistry } from '../workflow/workflow.registry.js';
import type { StampChange } from './stamp-changes.js';
import { CHANGE_KIND_NAMES } from './stamp-diff.js';
import { STAMP_LIST_PROCESS, StampProposalsService } from './stamp-proposals.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 新增清单1项、修改事项2项: what a change set holds, by kind. */
export function changeCounts(changes: StampChange[]): string {
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${CHANGE_KIND_NAMES[k as StampChange['kind']]}${n}项`).join('、');
}

/** 盖章证明事项清单调整: its summary, the proposing office, what it changes. */
export const describeStampProposals: SubjectDescriber = async (m: EntityManager, keys: string[]) => {
  const ids = keys.filter((k) => UUID.test(k));
  if (!ids.length) return new Map();
  const rows: {
    key: string;
    summary: string;
    scope_code: string;
    changes: StampChange[];
    unit_name: string | null;
  }[] = await m.query(
    `SELECT s.id::text AS key, s.summary, s.scope_code, s.changes, u.name AS unit_name
         FROM stamp_proposal s LEFT JOIN org_unit u ON u.id = s.proposer_unit_id
        WHERE s.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(
    rows.map((r): [string, CaseSubject] => [
      r.key,
      {
        title: `盖章证明事项清单调整：${r.summary}`,
        number: null,
        unitName: r.unit_name,
        kind: 'stamp-proposal',
        kindName: '清单调整',
        summary: changeCounts(r.changes),
      },
    ]),
  );
};

/** What workflows/stamp-list.bpmn needs from the runtime: its form, its service topics, its subject. */
@Injectable()
export class StampWorkflow implements OnModuleInit {
  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly proposals: StampProposalsService,
  ) {}

  onModuleInit(): void {
    const r = this.registry;
    r.requireProcess(STAMP_LIST_PROCESS);
    r.registerSubject(STAMP_LIST_PROCESS, describeStampProposals);
    r.declarePublicVariables(STAMP_LIST_PROCESS, ['proposalId', 'decisions']);
    // The principal leader approves or rejects with a comment; an approval is refused (and nothing changes) when
    // the set no longer fits the registry, checked under the locks its publication then holds.
    r.registerForm('stamp-list-decision', {
      decisions: ['approve', 'reject'],
      commentRequired: ['reject'],
      check: async (c) => {
        if (c.decision !== 'approve') return;
        if (!c.instance.businessKey) throw new AppError('STAMP_PROPOSAL_NOT_FOUND');
        await this.proposals.checkApprovable(c.manager, c.instance.businessKey);
      },
    });
    r.registerService('stampListApprove', async (ctx) => {
      await this.proposals.approved(
        ctx.manager,
        String(ctx.variables.proposalId),
        ctx.actor,
        (ctx.variables.comment as string | null) ?? null,
      );
    });
    r.registerService('stampListPublish', async (ctx) => {
      await this.proposals.publish(ctx.manager, String(ctx.variables.proposalId), ctx.actor);
    });
    r.registerTermination(STAMP_LIST_PROCESS, async (ctx) => {
      await this.proposals.terminated(ctx.manager, ctx.instance.businessKey ?? '', ctx.actor, ctx.reason);
    });
    r.registerService('stampListReject', async (ctx) => {
      await this.proposals.rejected(
        ctx.manager,
        String(ctx.variables.proposalId),
        ctx.actor,
        (ctx.variables.comment as string | null) ?? null,
      );
    });
  }
}
