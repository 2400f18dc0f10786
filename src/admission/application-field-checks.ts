import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OrgScope } from '../auth/org-scope.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { type FieldProblem, isBlank } from '../common/validation.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { levelUnitsOf, type LevelUnits } from '../org/level-units.service.js';
import { UnitKind } from '../org/org-unit.entity.js';
import type { AdmissionApplication } from './admission-application.entity.js';
import { periodProblems } from './application-dates.js';
import { fieldsOf, type FormField } from './application-fields.js';
import { lockApplication } from './application-status.service.js';
import type { ApplicationFieldsDto } from './dto/application.dto.js';
import { itemsInForce } from './in-force.js';
import { StatutoryArea } from './reference.entities.js';

const need = (zh: string, en: string) => `${zh}。${en}`;

/**
 * The checks of an application's fields (准入审批表), every problem told at once with its field: a draft is checked
 * only for what it holds (dates in order, a known area, targets inside the department's level); submission and
 * resubmission for everything required too, and a period that makes sense. The automatic review of an admitted
 * application (legal scope, negative list, repeats) is AdmissionChecks.
 */
@Injectable()
export class ApplicationFieldChecks {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly scope: OrgScope,
  ) {}

  /** Checks what a draft holds: dates in order, a known area, target units inside the department's level. */
  async partial(m: EntityManager, unitId: string, f: ApplicationFieldsDto): Promise<void> {
    const problems = await this.problems(m, unitId, f, false);
    if (problems.length) throw new AppError('VALIDATION_FAILED', problems);
  }

  /**
   * Submission and resubmission: everything required, everything valid, a period that makes sense — all
   * problems at once. The row is read again under lock, so that what is checked is what the reviewers get.
   */
  async complete(
    m: EntityManager,
    app: AdmissionApplication,
    lockedWith?: { level: LevelUnits },
  ): Promise<void> {
    // A row the caller read under lock (with its level) is checked as it is.
    const current = lockedWith ? app : ((await lockApplication(m, app.id)) ?? app);
    const problems = await this.problems(
      m,
      current.applicantUnitId,
      fieldsOf(current),
      true,
      lockedWith?.level,
    );
    if (problems.length) throw new AppError('APPLICATION_INCOMPLETE', problems);
  }

  private async problems(
    m: EntityManager,
    unitId: string,
    f: ApplicationFieldsDto,
    complete: boolean,
    knownLevel?: LevelUnits,
  ): Promise<FieldProblem[]> {
    const out: FieldProblem[] = [];
    const add = (field: string, problem: string) => out.push({ field, problems: [problem] });
    if (complete) {
      const required: [FormField, string, string][] = [
        ['kind', '请选择事项类型', 'Choose the kind of item'],
        ['title', '请填写事项名称', 'Give the title'],
        ['content', '请填写事项内容', 'Describe the content'],
        [
          'statutoryArea',
          '请选择所属法定协助领域，或选“其他”并填写法律依据',
          'Choose the statutory area, or "other" with a legal basis',
        ],
        ['targetScope', '请选择实施范围（全部社区或指定社区）', 'Choose the target communities'],
        ['authorizedContent', '请填写授权内容', 'State the authorized content'],
        ['targetPopulation', '请填写工作对象', 'State the target population'],
        ['powers', '请填写授予的权限', 'State the powers'],
        ['startDate', '请填写开始日期', 'Give the start date'],
        ['endDate', '请填写结束日期', 'Give the end date'],
        [
          'workloadHoursPerMonth',
          '请填写每个社区每月预计工作量（小时）',
          'Give the expected hours per community per month',
        ],
        ['frequency', '请填写工作频次', 'Give the frequency'],
        [
          'fundingPerCommunityFen',
          '请填写每个社区的经费（分；无经费填 0）',
          'Give the funding per community in fen (0 if none)',
        ],
        ['contactName', '请填写联系人', 'Give a contact person'],
        ['contactPhone', '请填写联系电话', 'Give a contact phone'],
      ];
      for (const [field, zh, en] of required) {
        const v = f[field];
        if (v === undefined || v === null || v === '') add(field, need(zh, en));
      }
      if ((f.fundingPerCommunityFen ?? 0) > 0 && !f.fundingSource)
        add('fundingSource', need('有经费时须写明经费来源', 'Give the source of the funding'));
      if (f.kind === 'report' && !(f.reportFields ?? []).length) {
        add(
          'reportFields',
          need(
            '报表台账类事项须列出需社区填报的字段',
            'A report or ledger must list the fields committees would fill',
          ),
        );
      }
      if (f.kind === 'stamp' && isBlank(f.certificateName))
        add(
          'certificateName',
          need(
            '盖章证明类事项须写明要求社区出具的证明名称（如“居住证明”），以便对照盖章证明事项清单',
            'A stamp demand must name the certificate committees would issue, to check it against the stamp registry',
          ),
        );
      if (f.targetScope === 'all' && !f.targetUnitId)
        add(
          'targetUnitId',
          need('选择“全部社区”时须指定所辖单位', 'Choose the unit whose communities are meant'),
        );
      if (f.targetScope === 'list' && !(f.targetCommunityIds ?? []).length)
        add('targetCommunityIds', need('请至少选择一个社区', 'Choose at least one community'));
    }
    if (f.statutoryArea) {
      if (f.statutoryArea === 'other') {
        if (complete && !f.legalBasisDocument) {
          add(
            'legalBasisDocument',
            need(
              '不属于法定协助领域的事项须有明确的法律依据（文件文号）',
              'Work outside the statutory areas needs a legal basis (document number)',
            ),
          );
        }
      } else if (!(await m.findOneBy(StatutoryArea, { code: f.statutoryArea }))) {
        add(
          'statutoryArea',
          need(
            `“${f.statutoryArea}”不是法定协助领域代码`,
            `"${f.statutoryArea}" is not a statutory area code`,
          ),
        );
      }
    }
    if (f.regularizesItemId) {
      // An emergency item of this department, in force today in at least one of its communities.
      const e = await m.query(
        `SELECT 1 FROM admitted_item i WHERE i.id = $1 AND i.emergency AND i.department_id = $2`,
        [f.regularizesItemId, unitId],
      );
      if (
        !e.length ||
        !(await itemsInForce(m, { on: this.clock.today(), itemIds: [f.regularizesItemId] })).length
      )
        add(
          'regularizesItemId',
          need(
            '只能转正本部门仍在应急期内的应急准入事项',
            'Only an emergency item of your department that is still in force can be regularized',
          ),
        );
    }
    if (complete)
      out.push(
        ...periodProblems(
          f.startDate,
          f.endDate,
          this.clock.today(),
          this.config.env.ADMISSION_MAX_PERIOD_YEARS,
        ),
      );
    else if (f.startDate && f.endDate && f.endDate < f.startDate)
      add('endDate', need('结束日期不能早于开始日期', 'The end date is before the start date'));
    const level = knownLevel ?? (await levelUnitsOf(m, unitId));
    const levelPath = level.levelPath ?? undefined;
    if (f.targetUnitId) {
      const inArea = await this.scope.unitInArea(m, f.targetUnitId, levelPath, {
        active: true,
        kinds: [UnitKind.CITY, UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY],
      });
      if (!inArea)
        add(
          'targetUnitId',
          need('所选单位不在本级领导小组辖区内', 'The unit is outside the area of your level'),
        );
    }
    if (f.targetCommunityIds?.length) {
      const ok = await this.scope.communitiesInArea(m, f.targetCommunityIds, levelPath);
      const bad = f.targetCommunityIds.filter((c) => !ok.includes(c));
      if (bad.length)
        add(
          'targetCommunityIds',
          need(
            `以下社区不在本级辖区内或不是社区：${bad.join('、')}`,
            `These are not communities of your level's area: ${bad.join(', ')}`,
          ),
        );
    }
    return out;
  }
}
