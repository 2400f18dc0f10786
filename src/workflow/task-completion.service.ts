import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DataSource } from 'typeorm';
import { decisionHash } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { flattenValidationErrors, isBlank } from '../common/validation.js';
import { countersignRule, decideCountersign } from './countersign.js';
import {
  infoOf,
  WorkflowRuntime,
  type StepContext,
  type TaskCompletion as Completion,
} from './runtime.service.js';
import { mayAct } from './task-access.js';
import {
  ADDED_SIGNER_DECISIONS,
  commentRequired,
  decisionCodes,
  decisionHistoryLabel,
  deficienciesRequired,
} from './task-decisions.js';
import { TaskHolders } from './task-holders.service.js';
import { TaskInbox } from './task-inbox.service.js';
import { assertCaseActive, updateTaskIfUnchanged } from './task-rows.js';
import type { WorkflowTask } from './workflow-task.entity.js';
import { WorkflowRegistry } from './workflow.registry.js';

export interface CompleteResult {
  instanceId: string;
  status: string;
  openTasks: { id: string; elementId: string; name: string | null }[];
}

export interface CompleteInput {
  decision?: string;
  form?: Record<string, unknown>;
  comment?: string;
  deficiencies?: string[];
}

/** The LIKE pattern of the execution ids of a countersign's iterations: one activation's share <parent>_<index>. */
function iterationsLike(task: WorkflowTask): string {
  return task.executionId.replace(/_\d+$/, '_').replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}

/**
 * Completing a task (办结, 退回 with every deficiency at once): the decision and form checked against the step's
 * form, the step run, and for a countersign (会签) the tally its flow reads; an added signature (加签) is signed.
 */
@Injectable()
export class TaskCompletion {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runtime: WorkflowRuntime,
    private readonly registry: WorkflowRegistry,
    private readonly clock: Clock,
    private readonly holders: TaskHolders,
    private readonly inbox: TaskInbox,
  ) {}

  /**
   * Completes a task with a decision and form data (validated against the form key), or returns it with
   * every deficiency listed at once (退回, 一次告知). A countersign (会签) iteration also updates the tally the
   * flow's completion condition reads.
   */
  async complete(actor: Actor, id: string, input: CompleteInput): Promise<CompleteResult> {
    const p = actor.principal!;
    // The task and its case's row in one query: the step need not read the case again.
    const {
      task: t,
      instance,
      openSigners,
      iterations: iterationsRead,
    } = await this.inbox.loadVisible(p, id, this.dataSource.manager, true);
    if (t.status !== 'open') throw new AppError('TASK_NOT_OPEN');
    if (!mayAct(p, t)) throw new AppError('TASK_NOT_YOURS');
    // 加签: refused before any work while an added signer has not signed (the step's write checks it again).
    if (openSigners) throw new AppError('TASK_WAITING_FOR_SIGNERS', { open: openSigners });
    if (t.kind === 'added-signer') return this.completeAddedSigner(actor, t, input);
    const spec = t.formKey ? this.registry.form(t.formKey) : undefined;
    const decisions = decisionCodes(this.registry, t);
    const decision = input.decision ?? decisions[0];
    if (!decisions.includes(decision)) throw new AppError('DECISION_NOT_ALLOWED', { allowed: decisions });
    if (commentRequired(spec, decision) && isBlank(input.comment)) {
      throw new AppError('VALIDATION_FAILED', [
        {
          field: 'comment',
          problems: ['此决定须在办理意见中写明理由。This decision needs its reason in the comment.'],
        },
      ]);
    }
    const form = this.validateForm(spec?.dto, input.form ?? {});
    // A return lists its deficiencies (strings, POST …/return) or, where the step's form has them, in the form.
    const deficiencies: unknown[] | undefined = input.deficiencies?.length
      ? input.deficiencies
      : Array.isArray(form.deficiencies) && form.deficiencies.length
        ? (form.deficiencies as unknown[])
        : undefined;
    if (deficienciesRequired(decision) && !deficiencies) throw new AppError('DEFICIENCIES_REQUIRED');
    let after: StepContext | undefined;
    await this.runtime.step(
      t.instanceId,
      actor,
      async (ctx) => {
        after = ctx;
        const api = ctx.live.waits.get(t.executionId);
        if (!api) throw new AppError('TASK_NOT_OPEN');
        const completion: Completion = {
          taskId: id,
          executionId: t.executionId,
          version: t.version,
          userId: p.userId,
          decision,
          form,
          comment: input.comment ?? null,
        };
        // A countersign tally counts this completion. The iterations read with the task serve while the step
        // runs on the case's row read with them (a step that changed them since changed the row's version too,
        // and the step's write then fails and runs again on a fresh row): the completion goes with the step's
        // state. On a fresh row, the completion is written first, reading the iterations with it.
        const multi = api.content.isMultiInstance === true;
        const readWithRow =
          multi && ctx.instance === instance && iterationsRead?.some((r) => r.id === id) === true;
        const iterations = !multi
          ? undefined
          : readWithRow
            ? iterationsRead!.map((r) => (r.id === id ? { ...r, status: 'completed', decision } : r))
            : await this.runtime.completeTaskNow(ctx, completion, iterationsLike(t));
        if (!multi || readWithRow) ctx.taskCompletion = completion;
        if (spec?.check) {
          await spec.check({
            manager: ctx.manager,
            instance: infoOf(ctx.instance),
            elementId: t.elementId,
            decision,
            form,
            actor,
          });
        }
        ctx.completedTaskIds.add(id);
        ctx.undoTaskId = id;
        const variables = ctx.live.variables();
        variables.decision = { [decision]: true, value: decision };
        variables.form = form;
        variables.comment = input.comment ?? null;
        const decisions = (variables.decisions ?? {}) as Record<string, string>;
        decisions[t.elementId] = decision;
        variables.decisions = decisions;
        if (decision === 'return') {
          variables.deficiencies = deficiencies;
          variables.returnedStep = t.elementId;
        }
        if (iterations) this.tally(ctx, t, api.owner.behaviour, iterations);
        ctx.history.push({
          action: decision === 'return' ? 'task.returned' : 'task.completed',
          taskId: id,
          elementId: t.elementId,
          comment: input.comment ?? null,
          data: {
            decision,
            // What was decided, in the words its form gives it: the history says 同意 or 拒绝不成立.
            decisionLabel: decisionHistoryLabel(spec, decision),
            ...(deficiencies && decision === 'return' ? { deficiencies } : {}),
          },
        });
        api.signal({ decision, form });
        ctx.live.waits.delete(t.executionId);
      },
      { preloaded: instance },
    );
    // What happens next: the case's status and its open tasks (so that a client need not search its inbox).
    const ctx = after!;
    const status = ctx.status ?? (ctx.live.ended ? 'completed' : ctx.instance.status);
    return { instanceId: t.instanceId, status, openTasks: ctx.openTasks };
  }

  /** 会签 tally: counts decisions of the element's iterations (this completion's included) and decides by the element's rule. */
  private tally(
    ctx: StepContext,
    task: WorkflowTask,
    behaviour: Record<string, unknown>,
    rows: { decision: string | null; status: string }[],
  ): void {
    const total = rows.length;
    const approve = rows.filter((r) => r.status === 'completed' && r.decision === 'approve').length;
    const returns = rows.filter((r) => r.status === 'completed' && r.decision === 'return').length;
    const reject = rows.filter(
      (r) => r.status === 'completed' && r.decision !== 'approve' && r.decision !== 'return',
    ).length;
    const rule = countersignRule(behaviour);
    const { decided, approved, returned } = decideCountersign(rule, total, approve, reject, returns);
    const variables = ctx.live.variables();
    const tallies = (variables.countersign ?? {}) as Record<string, unknown>;
    tallies[task.elementId] = { rule, total, approve, reject, returns, decided, approved, returned };
    variables.countersign = tallies;
  }

  private validateForm(
    dto: (new () => object) | undefined,
    form: Record<string, unknown>,
  ): Record<string, unknown> {
    if (!dto) {
      if (Object.keys(form).length) {
        throw new AppError(
          'VALIDATION_FAILED',
          Object.keys(form).map((field) => ({
            field: `form.${field}`,
            problems: [`此环节不收表单字段 ${field}。This step takes no form field ${field}.`],
          })),
        );
      }
      return {};
    }
    const instance = plainToInstance(dto, form);
    const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) throw new AppError('VALIDATION_FAILED', flattenValidationErrors(errors, 'form'));
    return JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
  }

  private async completeAddedSigner(actor: Actor, t: WorkflowTask, input: CompleteInput) {
    const decision = input.decision ?? ADDED_SIGNER_DECISIONS[0];
    if (!ADDED_SIGNER_DECISIONS.includes(decision))
      throw new AppError('DECISION_NOT_ALLOWED', { allowed: ADDED_SIGNER_DECISIONS });
    await this.dataSource.transaction(async (m) => {
      await updateTaskIfUnchanged(m, t, {
        status: 'completed',
        completed_at: this.clock.now(),
        completed_by: actor.principal!.userId,
        decision,
        comment: input.comment ?? null,
      });
      // Signed only while the case is active, as a step is completed (not while it is suspended).
      await assertCaseActive(m, t);
      // The audit record carries a hash of the comment, as a step's does of its form and comment.
      const formHash = decisionHash({}, input.comment ?? null);
      await this.holders.log(
        m,
        actor,
        t,
        'task.signed',
        { decision, parentTaskId: t.parentTaskId, formHash },
        input.comment,
      );
    });
    return { instanceId: t.instanceId, status: 'active', openTasks: [] };
  }
}
