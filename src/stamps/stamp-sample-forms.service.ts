import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { OrgScope } from '../auth/org-scope.js';
import { Permission } from '../auth/permissions.js';
import type { Actor, Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import type { FieldProblem } from '../common/validation.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { StampChange } from './stamp-changes.js';
import { isUuid } from './stamp-change-validation.js';
import { StampSampleForm } from './stamp-sample-form.entity.js';

/** The types a sample form may have, each with what its content must start with (the declared type has to be real). */
export const SAMPLE_FORM_TYPES: Record<string, number[]> = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d],
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  'image/jpeg': [0xff, 0xd8, 0xff],
};

export type SampleFormInfo = Omit<StampSampleForm, 'content'>;

/** Where a sample form is downloaded (public once published): the answers of the registry link it. */
export function sampleFormUrl(id: string): string {
  return `/stamp-sample-forms/${id}`;
}

/** Whether any published entry version names the form (then it is public: the registry is). */
const PUBLISHED_SQL = `SELECT EXISTS (SELECT 1 FROM stamp_entry WHERE sample_form_attachment_id = $1) AS published`;

/**
 * The sample forms (证明式样) of stamp-list entries (issue 13 §1): uploaded by an office that may propose stamp-list
 * changes, named by the entries of its proposals, public once a published entry names them.
 */
@Injectable()
export class StampSampleFormsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly orgScope: OrgScope,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Stores a PDF, PNG or JPEG file for the uploader's unit; size (413) and real type (415) checked first. */
  async upload(
    actor: Actor,
    dto: { fileName: string; contentType: string; contentBase64: string },
  ): Promise<SampleFormInfo> {
    const p = actor.principal!;
    const max = this.config.env.ATTACHMENT_MAX_BYTES;
    // base64 is 4 characters for 3 bytes: a text far over the limit is refused before it is decoded.
    if (Math.floor((dto.contentBase64.length * 3) / 4) > max + 3)
      throw new AppError('STAMP_SAMPLE_FORM_TOO_LARGE', { maxBytes: max });
    const content = Buffer.from(dto.contentBase64, 'base64');
    if (content.length > max)
      throw new AppError('STAMP_SAMPLE_FORM_TOO_LARGE', { maxBytes: max, sizeBytes: content.length });
    // Own keys only: a declared type such as `constructor` is a type not allowed, not a property of every object.
    const magic = Object.hasOwn(SAMPLE_FORM_TYPES, dto.contentType)
      ? SAMPLE_FORM_TYPES[dto.contentType]
      : undefined;
    if (!magic || content.length < magic.length || magic.some((b, i) => content[i] !== b))
      throw new AppError('STAMP_SAMPLE_FORM_TYPE_NOT_ALLOWED', {
        contentType: dto.contentType,
        allowed: Object.keys(SAMPLE_FORM_TYPES),
      });
    const sha256 = createHash('sha256').update(content).digest('hex');
    return this.dataSource.transaction(async (m) => {
      const row = m.create(StampSampleForm, {
        fileName: dto.fileName,
        contentType: dto.contentType,
        sizeBytes: content.length,
        sha256,
        content,
        uploadedBy: p.userId,
        uploadedAt: this.clock.now(),
        uploadedByUnit: p.unitId,
      });
      await m.insert(StampSampleForm, row);
      await this.audit.record(m, actor, {
        action: 'stamp-sample-form.uploaded',
        entityType: 'stamp_sample_form',
        entityId: row.id,
        data: { fileName: row.fileName, contentType: row.contentType, sizeBytes: row.sizeBytes, sha256 },
      });
      const { content: _omit, ...info } = row;
      void _omit;
      return info;
    });
  }

  /**
   * The file, if the reader may see it and its stored checksum still matches (a damaged file is never served as
   * good). Published (a stamp-list entry names it): anyone, without logging in. Before: the uploading unit, and
   * the readers of a proposal naming it (the principal leader who approves it, the office); anyone else is answered
   * as if it did not exist.
   */
  async download(
    p: Principal | undefined,
    id: string,
  ): Promise<{ info: SampleFormInfo; content: Buffer; published: boolean }> {
    const row = await this.dataSource
      .getRepository(StampSampleForm)
      .createQueryBuilder('f')
      .addSelect('f.content')
      .where('f.id = :id', { id })
      .getOne();
    if (!row) throw new AppError('STAMP_SAMPLE_FORM_NOT_FOUND');
    const [{ published }]: { published: boolean }[] = await this.dataSource.query(PUBLISHED_SQL, [id]);
    if (!published && !(await this.mayReadUnpublished(p, row)))
      throw new AppError('STAMP_SAMPLE_FORM_NOT_FOUND');
    if (createHash('sha256').update(row.content).digest('hex') !== row.sha256)
      throw new Error(`stamp sample form ${id} fails its checksum`);
    const { content, ...info } = row;
    return { info, content, published };
  }

  private async mayReadUnpublished(p: Principal | undefined, row: StampSampleForm): Promise<boolean> {
    if (!p) return false;
    if (p.unitId === row.uploadedByUnit) return true;
    if (!p.permissions.has(Permission.STAMP_PROPOSAL_READ)) return false;
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM stamp_proposal s JOIN org_unit u ON u.id = s.proposer_unit_id
        WHERE s.proposer_unit_id = $1
          AND jsonb_path_exists(s.changes, 'lax $.**.sampleFormAttachmentId ? (@ == $id)', jsonb_build_object('id', $2::text))
          AND ${this.orgScope.sqlInArea('u.path', '$3')}
        LIMIT 1`,
      [row.uploadedByUnit, row.id, p.scopePath],
    );
    return rows.length > 0;
  }

  /**
   * The sample forms a proposal's entries name, checked in `m` (400 naming each field): each must exist and have
   * been uploaded by the proposing unit, or already be published (a public form may be named again).
   */
  async checkNamed(m: EntityManager, unitId: string, changes: StampChange[]): Promise<void> {
    const named: { field: string; id: string }[] = [];
    changes.forEach((c, i) => {
      if (c.kind === 'new-list' || c.kind === 'add-entries')
        c.entries.forEach((e, j) => {
          if (e.sampleFormAttachmentId)
            named.push({
              field: `changes.${i}.entries.${j}.sampleFormAttachmentId`,
              id: e.sampleFormAttachmentId,
            });
        });
      else if (c.kind === 'change-entry' && c.change.sampleFormAttachmentId)
        named.push({
          field: `changes.${i}.change.sampleFormAttachmentId`,
          id: c.change.sampleFormAttachmentId,
        });
    });
    if (!named.length) return;
    const ids = [...new Set(named.map((n) => n.id).filter(isUuid))];
    const usable: { id: string }[] = await m.query(
      `SELECT f.id FROM stamp_sample_form f
        WHERE f.id = ANY($1::uuid[])
          AND (f.uploaded_by_unit = $2 OR EXISTS (SELECT 1 FROM stamp_entry e WHERE e.sample_form_attachment_id = f.id))`,
      [ids, unitId],
    );
    const ok = new Set(usable.map((r) => r.id));
    const problems: FieldProblem[] = named
      .filter((n) => !ok.has(n.id))
      .map((n) => ({
        field: n.field,
        problems: [
          `证明式样（${n.field}）不存在或不是本单位上传的，请重新上传证明式样后再提交。${n.field} names no sample form uploaded by your unit; upload the sample form again.`,
        ],
      }));
    if (problems.length) throw new AppError('VALIDATION_FAILED', problems);
  }
}
