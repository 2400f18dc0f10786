import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor, Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { rowsOf } from '../common/sql.js';
import { committeeOf, person, type StampLogPerson } from './stamp-log-rows.js';

export interface StampMember {
  user: StampLogPerson;
  authorised: boolean;
  addedAt: Date | null;
}

/**
 * The community's stamp roster (用印人员, issue 13 §6): the members who may handle or approve a stamp. Only those on
 * it may change it once it has anyone; each change is audited.
 */
@Injectable()
export class StampRosterService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** The community's active accounts and which of them are on the stamp roster (用印人员). */
  async members(actor: Actor, pq: PageQuery): Promise<Page<StampMember>> {
    const p = committeeOf(actor);
    const req = pageRequest(pq);
    const [{ total }]: { total: number }[] = await this.dataSource.query(
      'SELECT count(*)::int AS total FROM app_user WHERE unit_id = $1 AND active',
      [p.unitId],
    );
    const rows: {
      id: string;
      username: string;
      display_name: string;
      added_at: Date | null;
    }[] = await this.dataSource.query(
      `SELECT u.id, u.username, u.display_name, m.added_at
         FROM app_user u
         LEFT JOIN stamp_log_member m ON m.user_id = u.id AND m.community_id = u.unit_id AND m.removed_at IS NULL
        WHERE u.unit_id = $1 AND u.active
        ORDER BY (m.added_at IS NULL), u.username
        LIMIT $2 OFFSET $3`,
      [p.unitId, req.pageSize, req.offset],
    );
    return toPage(
      rows.map((r) => ({
        user: person(r.id, r.username, r.display_name),
        authorised: r.added_at !== null,
        addedAt: r.added_at,
      })),
      total,
      req,
    );
  }

  /**
   * Puts an account of the community on its stamp roster. Once the roster has anyone, only those on it may change
   * it (the first member may put themselves on); an account already on it stays as it is.
   */
  async addMember(actor: Actor, userId: string): Promise<StampMember> {
    const p = committeeOf(actor);
    return this.dataSource.transaction(async (m) => {
      await this.lockRoster(m, p);
      const users: { id: string; username: string; display_name: string }[] = await m.query(
        // Shared lock: a move or disabling of the account waits for this to commit, and its trigger then ends the row.
        'SELECT id, username, display_name FROM app_user WHERE id = $1 AND unit_id = $2 AND active FOR SHARE',
        [userId, p.unitId],
      );
      if (!users.length) throw new AppError('STAMP_MEMBER_NOT_FOUND');
      const added: { added_at: Date }[] = rowsOf(
        await m.query(
          `INSERT INTO stamp_log_member (community_id, user_id, added_by, added_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (community_id, user_id) WHERE removed_at IS NULL DO NOTHING RETURNING added_at`,
          [p.unitId, userId, p.userId, this.clock.now()],
        ),
      );
      if (added.length)
        await this.audit.record(m, actor, {
          action: 'stamp-roster.added',
          entityType: 'user',
          entityId: userId,
          data: { communityId: p.unitId },
        });
      const [current]: { added_at: Date }[] = await m.query(
        'SELECT added_at FROM stamp_log_member WHERE community_id = $1 AND user_id = $2 AND removed_at IS NULL',
        [p.unitId, userId],
      );
      const u = users[0];
      return { user: person(u.id, u.username, u.display_name), authorised: true, addedAt: current.added_at };
    });
  }

  /** Takes an account off the stamp roster (only someone on it may); it may no longer handle or approve a stamp. */
  async removeMember(actor: Actor, userId: string): Promise<StampMember> {
    const p = committeeOf(actor);
    return this.dataSource.transaction(async (m) => {
      await this.lockRoster(m, p);
      const removed: { user_id: string }[] = rowsOf(
        await m.query(
          `UPDATE stamp_log_member SET removed_at = $3, removed_by = $4
            WHERE community_id = $1 AND user_id = $2 AND removed_at IS NULL RETURNING user_id`,
          [p.unitId, userId, this.clock.now(), p.userId],
        ),
      );
      if (!removed.length) throw new AppError('STAMP_MEMBER_NOT_FOUND');
      await this.audit.record(m, actor, {
        action: 'stamp-roster.removed',
        entityType: 'user',
        entityId: userId,
        data: { communityId: p.unitId },
      });
      const [u]: { id: string; username: string; display_name: string }[] = await m.query(
        'SELECT id, username, display_name FROM app_user WHERE id = $1',
        [userId],
      );
      return { user: person(u.id, u.username, u.display_name), authorised: false, addedAt: null };
    });
  }

  /** Serializes changes to one community's roster (and reads whether the caller may change it). */
  private async lockRoster(m: EntityManager, p: Principal): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('stamp-roster:' || $1::text, 0))`, [
      p.unitId,
    ]);
    const [r]: { members: number; me: boolean }[] = await m.query(
      `SELECT count(*)::int AS members, bool_or(user_id = $2) AS me
         FROM stamp_log_member WHERE community_id = $1 AND removed_at IS NULL`,
      [p.unitId, p.userId],
    );
    if (r.members > 0 && !r.me) throw new AppError('STAMP_ROSTER_MEMBERS_ONLY');
  }
}

/** Throws unless the account is an active member of the community on its stamp roster (it may handle or approve). */
export async function assertOnRoster(
  m: EntityManager,
  communityId: string,
  userId: string,
  field: string,
): Promise<void> {
  const rows: unknown[] = await m.query(
    `SELECT 1 FROM stamp_log_member s JOIN app_user u ON u.id = s.user_id
      WHERE s.community_id = $1 AND s.user_id = $2 AND s.removed_at IS NULL AND u.active AND u.unit_id = $1`,
    [communityId, userId],
  );
  if (!rows.length) throw new AppError('STAMP_HANDLER_NOT_AUTHORISED', { field });
}
