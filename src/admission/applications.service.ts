import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { OrgScope } from '../auth/org-scope.js';
import { Role } from '../auth/permissions.js';
import type { Actor, Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { rowsOf } from '../common/sql.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { levelUnitsOf } from '../org/level-units.service.js';
import { InstancesService, type OpenStep } from '../workflow/instances.service.js';
import { WorkflowRuntime } from '../workflow/runtime.service.js';
import { TaskCompletion } from '../workflow/task-completion.service.js';
import { AdmissionApplication, type ApplicationStatus } from './admission-application.entity.js';
import { ApplicationFieldChecks } from './application-field-checks.js';
import { columnsOf, fieldsOf, snapshotOf } from './application-fields.js';
import type { ApplicationFieldsDto, UpdateApplicationDto } from './dto/application.dto.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';

const REVIEWER_ROLES: string[] = [Role.OFFICE, Role.MEMBER, Role.LEADER, Role.FINANCE];
/** The statuses in which the department may change its application: a draft, or returned for correction. */
const EDITABLE: ApplicationStatus[] = ['draft', 'returned'];

/** An application as the list shows it: with its applicant unit's name and where its case is now. */
export interface ListedApplication {
  application: AdmissionApplication;
  applicantUnitName: string;
  /** Its case's open steps, when the reader may see the case; else none. */
  currentSteps: OpenStep[];
}

/** Applications (准入审批表): drafts, submission with every problem told at once, and what the flow does to them. */
@Injectable()
export class ApplicationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runtime: WorkflowRuntime,
    private readonly tasks: TaskCompletion,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly scope: OrgScope,
    private readonly instances: InstancesService,
    private readonly fieldChecks: ApplicationFieldChecks,
  ) {}

  /** A draft of the caller's department; saved incomplete, checked only for what is there. */
  async create(actor: Actor, dto: ApplicationFieldsDto): Promise<AdmissionApplication> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      await this.fieldChecks.partial(m, p.unitId, dto);
      const app = m.create(AdmissionApplication, {
        applicantUnitId: p.unitId,
        createdBy: p.userId,
        status: 'draft',
        ...columnsOf(dto),
      });
      const saved = await m.save(app);
      await this.audit.record(m, actor, {
        action: 'application.drafted',
        entityType: 'admission_application',
        entityId: saved.id,
      });
      return saved;
    });
  }

  /**
   * Changes a draft, or a returned application being corrected (补正). Status and version are checked by the
   * write itself (one statement): a change that races a submission or a resubmission is refused, never applied
   * after the reviewers' snapshot was taken.
   */
  async update(actor: Actor, id: string, dto: UpdateApplicationDto): Promise<AdmissionApplication> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const app = await this.findOwn(m, p, id);
      if (!EDITABLE.includes(app.status))
        throw new AppError('APPLICATION_NOT_EDITABLE', { status: app.status });
      const { version, ...fields } = dto;
      await this.fieldChecks.partial(m, app.applicantUnitId, { ...fieldsOf(app), ...fields });
      const res = await m
        .createQueryBuilder()
        .update(AdmissionApplication)
        .set({ ...columnsOf(fields), version: () => 'version + 1' } as never)
        .where('id = :id AND version = :version AND status IN (:...editable)', {
          id,
          version,
          editable: EDITABLE,
        })
        .execute();
      if (res.affected !== 1) {
        // Why not: submitted (or resubmitted) meanwhile, or another change came first.
        const now = await m.findOneByOrFail(AdmissionApplication, { id });
        if (!EDITABLE.includes(now.status))
          throw new AppError('APPLICATION_NOT_EDITABLE', { status: now.status });
        throw new AppError('CONCURRENT_UPDATE', { currentVersion: now.version });
      }
      await this.audit.record(m, actor, {
        action: 'application.edited',
        entityType: 'admission_application',
        entityId: id,
        data: { fields: Object.keys(fields) },
      });
      return m.findOneByOrFail(AdmissionApplication, { id });
    });
  }

  /**
   * Submits (or resubmits after a return) an application: every field is checked and every problem listed at
   * once (一次告知). A first submission starts the admission flow at the leading group of the department's level
   * (同级); a resubmission continues the same case and records what changed.
   */
  async submit(actor: Actor, id: string, comment?: string): Promise<AdmissionApplication> {
    const p = actor.principal!;
    // A draft is read once, under its row's lock, and checked, snapshotted and started under it: a change
    // racing the submission waits, then finds it submitted. Any other row is read without a lock (only a
    // draft's is taken): a returned one is resubmitted as a step of its case (below), which locks it itself.
    // Only the caller's own draft is locked: another unit's answers as a missing one without waiting on it.
    const app = await this.dataSource.transaction(async (m) => {
      const draft = await m.findOne(AdmissionApplication, {
        where: { id, status: 'draft', applicantUnitId: p.unitId },
        lock: { mode: 'pessimistic_write' },
      });
      const app = draft ?? (await m.findOneBy(AdmissionApplication, { id }));
      if (!app || app.applicantUnitId !== p.unitId) throw new AppError('APPLICATION_NOT_FOUND');
      if (app.status === 'returned') return app;
      if (!draft) throw new AppError('APPLICATION_NOT_SUBMITTABLE', { status: app.status });
      const level = await levelUnitsOf(m, app.applicantUnitId);
      await this.fieldChecks.complete(m, app, { level });
      const members: { unit_id: string }[] = level.groupId
        ? await m.query('SELECT unit_id FROM leading_group_member WHERE group_id = $1 ORDER BY position', [
            level.groupId,
          ])
        : [];
      const started = await this.runtime.start(
        actor,
        {
          processId: 'admission',
          businessKey: app.id,
          ownerUnitId: app.applicantUnitId,
          variables: {
            applicationId: app.id,
            memberUnits: members.map((x) => x.unit_id),
            fundingWindow: `P${this.config.env.ADMISSION_FUNDING_DAYS}D`,
          },
        },
        m,
      );
      const snapshot = snapshotOf(app);
      const submittedAt = this.clock.now();
      const res = await m.query(
        `UPDATE admission_application SET status = 'in_review', instance_id = $2, submitted_at = $5, submitted_snapshot = $3,
                version = version + 1 WHERE id = $1 AND version = $4 AND status = 'draft' RETURNING id`,
        [app.id, started.id, snapshot, app.version, submittedAt],
      );
      if (rowsOf(res).length !== 1) throw new AppError('CONCURRENT_UPDATE');
      await this.audit.record(m, actor, {
        action: 'application.submitted',
        entityType: 'admission_application',
        entityId: app.id,
        data: { instanceId: started.id, comment: comment ?? null },
      });
      // The locked row as the UPDATE left it (no other column changes): what a read would answer.
      return Object.assign(app, {
        status: 'in_review' as const,
        instanceId: started.id,
        submittedAt,
        submittedSnapshot: JSON.parse(JSON.stringify(snapshot)) as Record<string, unknown>,
        version: app.version + 1,
      });
    });
    if (app.status !== 'returned') return app;
    const task: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM workflow_task WHERE instance_id = $1 AND element_id = 'correct' AND status = 'open' LIMIT 1`,
      [app.instanceId],
    );
    if (!task[0]) throw new AppError('APPLICATION_NOT_SUBMITTABLE', { status: 'returned' });
    await this.tasks.complete(actor, task[0].id, { decision: 'resubmit', comment });
    return this.dataSource.getRepository(AdmissionApplication).findOneByOrFail({ id });
  }

  async get(p: Principal, id: string): Promise<AdmissionApplication> {
    const app = await this.dataSource.getRepository(AdmissionApplication).findOneBy({ id });
    if (!app || !(await this.canSee(p, app))) throw new AppError('APPLICATION_NOT_FOUND');
    return app;
  }

  /** My department's applications; for the office, members, leader and finance: those submitted in their area. */
  async list(p: Principal, q: PageQuery = {}): Promise<Page<AdmissionApplication>> {
    const reviewer = p.roles.some((r) => REVIEWER_ROLES.includes(r));
    const page = pageRequest(q);
    // Its own department's (drafts too), and for reviewers every submitted one of their area.
    const visible = `FROM admission_application a JOIN org_unit u ON u.id = a.applicant_unit_id
        WHERE a.applicant_unit_id = $1 OR ($2 AND a.status <> 'draft' AND ${this.scope.sqlInArea('u.path', '$3')})`;
    const params = [p.unitId, reviewer, p.scopePath];
    const rows: { id: string; total_count: string }[] = await this.dataSource.query(
      `SELECT a.id, count(*) OVER () AS total_count ${visible}
        ORDER BY a.updated_at DESC, a.id LIMIT $4 OFFSET $5`,
      [...params, page.pageSize, page.offset],
    );
    // A page past the end carries no row, hence no total: count apart.
    const total = rows.length
      ? Number(rows[0].total_count)
      : page.offset === 0
        ? 0
        : Number((await this.dataSource.query(`SELECT count(*) AS n ${visible}`, params))[0].n);
    // The rows themselves as the entity reads them (a raw row would give its days as Date objects).
    const found = rows.length
      ? await this.dataSource.getRepository(AdmissionApplication).findBy({ id: In(rows.map((r) => r.id)) })
      : [];
    const byId = new Map(found.map((a) => [a.id, a]));
    return toPage(
      rows.flatMap((r) => byId.get(r.id) ?? []),
      total,
      page,
    );
  }

  /**
   * The list (as `list`), each with what a review queue shows: the applicant unit's name and its case's open
   * steps with their holders — the steps only of the cases the reader may see (the case's own rule). A few
   * queries for the whole page, none per row.
   */
  async listWithProgress(p: Principal, q: PageQuery = {}): Promise<Page<ListedApplication>> {
    const page = await this.list(p, q);
    const unitIds = [...new Set(page.items.map((a) => a.applicantUnitId))];
    const [units, steps] = await Promise.all([
      unitIds.length
        ? (this.dataSource.query('SELECT id, name FROM org_unit WHERE id = ANY($1::uuid[])', [
            unitIds,
          ]) as Promise<{ id: string; name: string }[]>)
        : Promise.resolve([]),
      this.instances.openStepsOf(
        p,
        page.items.flatMap((a) => (a.instanceId ? [a.instanceId] : [])),
      ),
    ]);
    const unitName = new Map(units.map((u) => [u.id, u.name]));
    return {
      ...page,
      items: page.items.map((a) => ({
        application: a,
        applicantUnitName: unitName.get(a.applicantUnitId) ?? '',
        currentSteps: (a.instanceId && steps.get(a.instanceId)) || [],
      })),
    };
  }

  private async canSee(p: Principal, app: AdmissionApplication): Promise<boolean> {
    if (app.applicantUnitId === p.unitId) return true;
    if (app.status === 'draft' || !p.roles.some((r) => REVIEWER_ROLES.includes(r))) return false;
    return this.scope.unitInArea(this.dataSource.manager, app.applicantUnitId, p.scopePath);
  }

  /** An application of the caller's own department; anything else answers like a missing one. */
  private async findOwn(m: EntityManager, p: Principal, id: string): Promise<AdmissionApplication> {
    const app = await m.findOneBy(AdmissionApplication, { id });
    if (!app || app.applicantUnitId !== p.unitId) throw new AppError('APPLICATION_NOT_FOUND');
    return app;
  }
}
