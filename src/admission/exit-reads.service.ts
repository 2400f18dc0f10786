import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import type { CommunityEvaluation, CommunityExitProposal, ExitStatus } from './dto/my-community.dto.js';
import type { ExitOrigin } from './exit.entities.js';

/**
 * A committee's own view of 准入与退出: the exit proposals concerning its community (its own, those opened by an
 * evaluation, and the department's or office's for its community or for the whole item) with their state, and
 * the residents' evaluations it recorded. Only its own community: the unit is the committee's own.
 */
@Injectable()
export class ExitReads {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first. A whole-item proposal concerns the community when the item targets it. */
  async proposalsOf(
    communityId: string,
    filter: { itemId?: string; status?: ExitStatus },
    q: PageQuery = {},
  ): Promise<Page<CommunityExitProposal>> {
    const page = pageRequest(q);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT count(*) OVER () AS total_count, p.id, p.item_id, i.admission_number, i.title, p.community_id, p.origin,
              p.reason, p.status, p.created_at, p.decided_at
         FROM exit_proposal p JOIN admitted_item i ON i.id = p.item_id
        WHERE (p.community_id = $1
               OR (p.community_id IS NULL AND EXISTS (SELECT 1 FROM admitted_item_community c
                                                      WHERE c.item_id = p.item_id AND c.community_id = $1)))
          AND ($2::uuid IS NULL OR p.item_id = $2) AND ($3::text IS NULL OR p.status = $3)
        ORDER BY p.created_at DESC, p.id
        LIMIT $4 OFFSET $5`,
      [communityId, filter.itemId ?? null, filter.status ?? null, page.pageSize, page.offset],
    );
    const total = rows.length
      ? Number(rows[0].total_count)
      : page.offset > 0
        ? (await this.proposalsOf(communityId, filter, { page: 1, pageSize: 1 })).total
        : 0;
    return toPage(
      rows.map((r) => ({
        id: r.id as string,
        itemId: r.item_id as string,
        admissionNumber: r.admission_number as string,
        itemTitle: r.title as string,
        communityId: r.community_id as string | null,
        origin: r.origin as ExitOrigin,
        reason: r.reason as string,
        status: r.status as ExitStatus,
        createdAt: r.created_at as Date,
        decidedAt: r.decided_at as Date | null,
      })),
      total,
      page,
    );
  }

  /** The evaluations recorded for the community, newest first. */
  async evaluationsOf(
    communityId: string,
    filter: { itemId?: string },
    q: PageQuery = {},
  ): Promise<Page<CommunityEvaluation>> {
    const page = pageRequest(q);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT count(*) OVER () AS total_count, e.id, e.item_id, i.admission_number, i.title, e.period, e.respondents,
              e.satisfied, e.satisfaction, e.recorded_at
         FROM item_evaluation e JOIN admitted_item i ON i.id = e.item_id
        WHERE e.community_id = $1 AND ($2::uuid IS NULL OR e.item_id = $2)
        ORDER BY e.recorded_at DESC, e.id
        LIMIT $3 OFFSET $4`,
      [communityId, filter.itemId ?? null, page.pageSize, page.offset],
    );
    const total = rows.length
      ? Number(rows[0].total_count)
      : page.offset > 0
        ? (await this.evaluationsOf(communityId, filter, { page: 1, pageSize: 1 })).total
        : 0;
    return toPage(
      rows.map((r) => ({
        id: r.id as string,
        itemId: r.item_id as string,
        admissionNumber: r.admission_number as string,
        itemTitle: r.title as string,
        period: r.period as string,
        respondents: Number(r.respondents),
        satisfied: Number(r.satisfied),
        satisfaction: Number(r.satisfaction),
        recordedAt: r.recorded_at as Date,
      })),
      total,
      page,
    );
  }
}
