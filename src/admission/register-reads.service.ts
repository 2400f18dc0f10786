import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrgScope } from '../auth/org-scope.js';
import { AppError } from '../common/errors.js';
import { Clock } from '../common/clock.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { AdmittedItem } from './admitted-item.entities.js';
import type { ItemCommunityFunding, RegisterEntry } from './dto/item-responses.dto.js';
import { FundingViews } from './funding-views.service.js';
import { inForceSql } from './in-force.js';

/**
 * Which communities the public register answers for: one by its unit code, every community whose name contains
 * a text (a resident knows the name, not the code), or every community of an area (a street, district or city,
 * by its code). None given: every community.
 */
export interface RegisterFilter {
  communityCode?: string;
  communityName?: string;
  areaCode?: string;
}

/** Reading the register of admitted items: the public list of what is in force, and one item with its communities. */
@Injectable()
export class RegisterReads {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly scope: OrgScope,
    private readonly funding: FundingViews,
  ) {}

  /**
   * Public register: items in force (in-force.ts) on `asOf` (default today, China time) in the communities the
   * filter names, ordered by admission number as numbers (〔2026〕第2号 before 第10号). Each item lists the
   * matching communities it is in force in, each with its street, so that a name shared by two communities is
   * told apart. A community code or name, or an area, that matches nothing answers 404, not an empty register.
   */
  async inForce(
    filter: RegisterFilter,
    asOf: string | undefined,
    q: PageQuery = {},
    known = false,
  ): Promise<Page<RegisterEntry>> {
    const day = asOf ?? this.clock.today();
    const page = pageRequest(q);
    const areaPath = filter.areaCode !== undefined ? await this.areaPath(filter.areaCode) : null;
    const communities = [filter.communityCode ?? null, filter.communityName ?? null, areaPath];
    if (!known && (filter.communityCode !== undefined || filter.communityName !== undefined)) {
      const found: unknown[] = await this.dataSource.query(
        `SELECT 1 FROM org_unit u WHERE ${this.communityWhere()} LIMIT 1`,
        communities,
      );
      if (!found.length)
        throw new AppError('COMMUNITY_NOT_FOUND', {
          community: filter.communityCode,
          communityName: filter.communityName,
        });
    }
    const inForce = inForceSql({ on: day }, 4);
    const paging = 4 + inForce.params.length;
    const rows: (Record<string, unknown> & {
      communities: RegisterEntry['communities'];
      total_count: string;
    })[] = await this.dataSource.query(
      `SELECT count(*) OVER () AS total_count, i.id, i.application_id, i.admission_number, i.emergency, i.title, i.kind, i.statutory_area, i.legal_basis,
              i.authorized_content, i.target_population, i.powers, to_char(i.start_date, 'YYYY-MM-DD') AS start_date,
              to_char(i.end_date, 'YYYY-MM-DD') AS end_date, i.funding_per_community_fen, i.funding_source,
              i.notice_working_days,
              json_agg(json_build_object('code', u.code, 'name', u.name, 'street', s.name, 'fundingStatus', c.funding_status,
                                         'enteredAt', c.entered_at) ORDER BY u.code) AS communities
         FROM (${inForce.sql}) f
         JOIN admitted_item i ON i.id = f.item_id
         JOIN admitted_item_community c ON c.item_id = f.item_id AND c.community_id = f.community_id
         JOIN org_unit u ON u.id = c.community_id
         LEFT JOIN org_unit s ON s.id = u.parent_id
        WHERE ${this.communityWhere()}
        GROUP BY i.id
        ORDER BY i.number_year, i.number_seq, i.id
        LIMIT $${paging} OFFSET $${paging + 1}`,
      [...communities, ...inForce.params, page.pageSize, page.offset],
    );
    // A page past the end carries no row, hence no total: count what the first page would list.
    const total = rows.length
      ? Number(rows[0].total_count)
      : page.offset > 0
        ? (await this.inForce(filter, day, { page: 1, pageSize: 1 }, true)).total
        : 0;
    const items = rows.map((r) => ({
      id: r.id as string,
      applicationId: r.application_id as string | null,
      admissionNumber: r.admission_number as string,
      emergency: r.emergency as boolean,
      title: r.title as string,
      kind: r.kind as string,
      statutoryArea: r.statutory_area as string,
      legalBasis: r.legal_basis as string | null,
      authorizedContent: r.authorized_content as string,
      targetPopulation: r.target_population as string,
      powers: r.powers as string,
      startDate: r.start_date as string,
      endDate: r.end_date as string,
      fundingPerCommunityFen: Number(r.funding_per_community_fen),
      fundingSource: r.funding_source as string | null,
      noticeWorkingDays: r.notice_working_days as number | null,
      communities: r.communities,
    }));
    return toPage(items, total, page);
  }

  /** The condition on `u` (a unit) for the filter's parameters $1 (code), $2 (part of a name), $3 (an area's path). */
  private communityWhere(): string {
    return `u.kind = 'COMMUNITY' AND ($1::text IS NULL OR u.code = $1) AND ($2::text IS NULL OR strpos(u.name, $2) > 0)
            AND ($3::text IS NULL OR ${this.scope.sqlInArea('u.path', '$3')})`;
  }

  /** The path of the street, district or city with this code; 404 when there is none. */
  private async areaPath(code: string): Promise<string> {
    const rows: { path: string }[] = await this.dataSource.query(
      `SELECT path FROM org_unit WHERE code = $1 AND kind IN ('CITY', 'DISTRICT', 'STREET')`,
      [code],
    );
    if (!rows.length) throw new AppError('UNIT_NOT_FOUND', { area: code });
    return rows[0].path;
  }

  async unitCode(unitId: string): Promise<string | null> {
    const rows: { code: string }[] = await this.dataSource.query('SELECT code FROM org_unit WHERE id = $1', [
      unitId,
    ]);
    return rows[0]?.code ?? null;
  }

  /** One admitted item with the funding state of every target community (none due, awaited, registered, …). */
  async item(id: string) {
    const item = await this.dataSource.getRepository(AdmittedItem).findOneBy({ id });
    if (!item) throw new AppError('ADMITTED_ITEM_NOT_FOUND');
    const communities: ItemCommunityFunding[] = await this.funding.ofItem(this.dataSource.manager, id);
    return { ...item, fundingPerCommunityFen: Number(item.fundingPerCommunityFen), communities };
  }

  /** The admitted item each of these applications became (id and number), by application id. */
  async itemsOfApplications(
    applicationIds: string[],
  ): Promise<Map<string, { id: string; admissionNumber: string }>> {
    if (!applicationIds.length) return new Map();
    const rows: { id: string; application_id: string; admission_number: string }[] =
      await this.dataSource.query(
        'SELECT id, application_id, admission_number FROM admitted_item WHERE application_id = ANY($1::uuid[])',
        [applicationIds],
      );
    return new Map(rows.map((r) => [r.application_id, { id: r.id, admissionNumber: r.admission_number }]));
  }
}
