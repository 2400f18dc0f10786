import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { addWorkingDays, dayStartCst } from '../common/china-time.js';
import { Clock } from '../common/clock.js';
import { OrgScope } from '../auth/org-scope.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { WorkflowRuntime } from '../workflow/runtime.service.js';
import { bumpVersion } from './application-status.service.js';
import { AdmissionApplication, type Finding } from './admission-application.entity.js';
import { StampRegistryService } from '../stamps/stamp-registry.service.js';
import { inForceSql } from './in-force.js';
import { stampRegistryFinding } from './stamp-finding.js';
import { NegativeListItem, StatutoryArea } from './reference.entities.js';
import { isBlank } from '../common/validation.js';

/**
 * The automatic checks of a submitted application (seed 002 §4): the statutory areas it assists in, the
 * negative list, items in force it duplicates or whose report fields it collects again (数据一次采集), a stamp
 * demand's certificate against the stamp registry, and the lead time before its start. Each check gives a finding the office sees; a failing one blocks approval until
 * the applicant corrects it or it is overridden with a reason (findings.service.ts). Each finding has a `code`
 * that is stable within the application.
 */
@Injectable()
export class AdmissionChecks {
  constructor(
    private readonly runtime: WorkflowRuntime,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly scope: OrgScope,
    private readonly stamps: StampRegistryService,
  ) {}

  /** The automatic checks of a submitted application; each gives a finding the office sees. */
  async run(m: EntityManager, applicationId: string): Promise<Finding[]> {
    const app = await m.findOneByOrFail(AdmissionApplication, { id: applicationId });
    const findings: Finding[] = [];
    if (app.statutoryArea === 'other' && isBlank(app.legalBasisDocument)) {
      // Seed 002 §4: work outside the statutory areas needs a legal basis; none given fails.
      findings.push({
        check: 'statutory-scope',
        result: 'fail',
        message:
          '不属于法定协助领域，且未提供法律依据，请退回部门补充依据。Outside the statutory areas with no legal basis; return it for the basis.',
      });
    } else if (app.statutoryArea === 'other') {
      findings.push({
        check: 'statutory-scope',
        result: 'warn',
        message: `不属于法定协助领域，依据：${app.legalBasisDocument ?? ''} ${app.legalBasisArticle ?? ''}。Outside the statutory areas; basis given.`,
      });
    } else {
      const area = await m.findOneBy(StatutoryArea, { code: app.statutoryArea ?? '' });
      findings.push({
        check: 'statutory-scope',
        result: 'pass',
        message: `属于法定协助领域：${area?.nameZh ?? app.statutoryArea}。Within a statutory area.`,
      });
    }
    const text = [app.title, app.content, app.authorizedContent, app.powers].join(' ');
    const negative = (await m.findBy(NegativeListItem, { active: true })).filter(
      (n) =>
        (n.appliesTo === 'any kind' || n.appliesTo === app.kind) && n.keywords.some((k) => text.includes(k)),
    );
    findings.push(
      negative.length
        ? {
            check: 'negative-list',
            result: 'fail',
            message: `命中负面清单：${negative.map((n) => n.nameZh).join('、')}。Hits the negative list.`,
            details: negative.map((n) => ({ code: n.code, source: n.source })),
          }
        : { check: 'negative-list', result: 'pass', message: '未命中负面清单。No negative-list hit.' },
    );
    // Items in force or awaiting funding (in-force.ts) on some day of the application's period, in its
    // communities: of the same kind and area (duplicates), or collecting the same report fields. "Every
    // community under a unit" means the communities under that unit, not every community (issue 11 item 14).
    const overlapping = {
      on: { from: app.startDate!, to: app.endDate! },
      communityIds:
        app.targetScope === 'all'
          ? app.targetUnitId
            ? await this.scope.communitiesUnder(m, app.targetUnitId)
            : []
          : app.targetCommunityIds,
      orAwaitingFunding: true,
    };
    const sameKind = inForceSql({ ...overlapping, kind: app.kind!, statutoryArea: app.statutoryArea! }, 2);
    const duplicates: { id: string; title: string; admission_number: string }[] = await m.query(
      `SELECT DISTINCT i.application_id AS id, i.title, i.admission_number
         FROM (${sameKind.sql}) f JOIN admitted_item i ON i.id = f.item_id
        WHERE i.application_id <> $1`,
      [app.id, ...sameKind.params],
    );
    // 数据一次采集: report fields that an item in force over the same communities and period already collects.
    const anyKind = inForceSql(overlapping, 3);
    const sharedFields: { id: string; admission_number: string; title: string; fields: string[] }[] = app
      .reportFields.length
      ? await m.query(
          `SELECT DISTINCT i.id, i.admission_number, i.title,
                  ARRAY(SELECT unnest(i.report_fields) INTERSECT SELECT unnest($2::text[])) AS fields
             FROM (${anyKind.sql}) f JOIN admitted_item i ON i.id = f.item_id
            WHERE i.report_fields && $2::text[] AND (i.application_id IS NULL OR i.application_id <> $1)`,
          [app.id, app.reportFields, ...anyKind.params],
        )
      : [];
    if (sharedFields.length) {
      findings.push({
        check: 'duplicates',
        code: 'shared-report-fields',
        result: 'warn',
        message: `以下填报字段已由在施事项采集，应共享数据而非重复采集：${sharedFields.map((x) => `${x.admission_number}（${x.fields.join('、')}）`).join('；')}。These report fields are already collected; share the data instead.`,
        details: sharedFields.map((x) => ({
          itemId: x.id,
          admissionNumber: x.admission_number,
          fields: x.fields,
        })),
      });
    }
    findings.push(
      duplicates.length
        ? {
            check: 'duplicates',
            result: 'warn',
            message: `与已准入事项重叠，建议合并：${duplicates.map((d) => `${d.admission_number} ${d.title}`).join('、')}。Overlaps admitted items; consider merging.`,
            details: duplicates,
          }
        : { check: 'duplicates', result: 'pass', message: '未发现重复事项。No overlapping item.' },
    );
    // Issue 13 §7: a stamp demand's certificate against the stamp registry, for its communities on its start.
    if (app.kind === 'stamp' && app.certificateName?.trim())
      findings.push(
        await stampRegistryFinding(
          this.stamps,
          app.certificateName.trim(),
          overlapping.communityIds,
          app.startDate!,
        ),
      );
    const calendar = await this.runtime.workCalendar(m);
    const lead = this.config.env.ADMISSION_LEAD_WORKING_DAYS;
    const earliest = addWorkingDays(app.submittedAt ?? this.clock.now(), lead, calendar);
    const start = dayStartCst(app.startDate!);
    findings.push(
      start.getTime() >= earliest.getTime() - 86400_000
        ? {
            check: 'lead-time',
            result: 'pass',
            message: `提前 ${lead} 个工作日以上提交。Submitted at least ${lead} working days ahead.`,
          }
        : {
            check: 'lead-time',
            result: 'fail',
            message: `距开始日期不足 ${lead} 个工作日。Submitted less than ${lead} working days before the start.`,
            details: { earliestStart: earliest.toISOString().slice(0, 10) },
          },
    );
    for (const f of findings) f.code ??= f.check;
    await bumpVersion(m, app.id, { findings });
    return findings;
  }
}
