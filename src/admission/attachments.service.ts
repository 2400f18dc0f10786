import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor, Principal } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { AdmissionApplication } from './admission-application.entity.js';
import { ApplicationsService } from './applications.service.js';
import { ApplicationAttachment } from './attachment.entity.js';
import type { UploadAttachmentDto } from './dto/attachment.dto.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';

/** What each accepted type's content must start with: the declared type has to be the real one. */
const MAGIC: Record<string, number[]> = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d],
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': [0x50, 0x4b, 0x03, 0x04],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': [0x50, 0x4b, 0x03, 0x04],
};

export type AttachmentInfo = Omit<ApplicationAttachment, 'content'>;

@Injectable()
export class AttachmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly applications: ApplicationsService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Attaches a file to a draft or a returned application of one's own department; size and real type checked. */
  async upload(actor: Actor, applicationId: string, dto: UploadAttachmentDto): Promise<AttachmentInfo> {
    const p = actor.principal!;
    const content = Buffer.from(dto.contentBase64, 'base64');
    if (content.length > this.config.env.ATTACHMENT_MAX_BYTES) {
      throw new AppError('ATTACHMENT_TOO_LARGE', {
        maxBytes: this.config.env.ATTACHMENT_MAX_BYTES,
        sizeBytes: content.length,
      });
    }
    const magic = MAGIC[dto.contentType];
    if (!magic || content.length < magic.length || magic.some((b, i) => content[i] !== b)) {
      throw new AppError('ATTACHMENT_TYPE_NOT_ALLOWED', { contentType: dto.contentType });
    }
    return this.dataSource.transaction(async (m) => {
      // Under the row's lock, as a submission reads it: an upload racing a submission lands before it or is refused.
      const app = await lockOwn(m, p, applicationId);
      if (!app) throw new AppError('APPLICATION_NOT_FOUND');
      if (app.status !== 'draft' && app.status !== 'returned')
        throw new AppError('APPLICATION_NOT_EDITABLE', { status: app.status });
      const sha256 = createHash('sha256').update(content).digest('hex');
      const saved = await m.save(
        m.create(ApplicationAttachment, {
          applicationId,
          fileName: dto.fileName,
          contentType: dto.contentType,
          sizeBytes: content.length,
          sha256,
          content,
          uploadedBy: p.userId,
        }),
      );
      await this.audit.record(m, actor, {
        action: 'application.attached',
        entityType: 'admission_application',
        entityId: applicationId,
        data: { attachmentId: saved.id, sha256, sizeBytes: content.length },
      });
      const { content: _omit, ...info } = saved;
      void _omit;
      return info;
    });
  }

  /**
   * Removes a file from a draft or a returned application of one's own department (another's answers as a missing
   * one). The application's row is locked first, so a removal racing a (re)submission is either before the
   * reviewers' snapshot or refused; the audit record keeps what the file was (name, type, size, SHA-256), and so
   * does the answer.
   */
  async remove(actor: Actor, applicationId: string, id: string): Promise<AttachmentInfo> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const app = await lockOwn(m, p, applicationId);
      if (!app) throw new AppError('APPLICATION_NOT_FOUND');
      const row = await m.findOneBy(ApplicationAttachment, { id, applicationId });
      if (!row) throw new AppError('ATTACHMENT_NOT_FOUND');
      if (app.status !== 'draft' && app.status !== 'returned')
        throw new AppError('APPLICATION_NOT_EDITABLE', { status: app.status });
      await m.delete(ApplicationAttachment, { id, applicationId });
      await this.audit.record(m, actor, {
        action: 'application.attachment-removed',
        entityType: 'admission_application',
        entityId: applicationId,
        data: {
          attachmentId: id,
          fileName: row.fileName,
          contentType: row.contentType,
          sizeBytes: row.sizeBytes,
          sha256: row.sha256,
        },
      });
      return row;
    });
  }

  async list(p: Principal, applicationId: string, q: PageQuery = {}): Promise<Page<AttachmentInfo>> {
    await this.applications.get(p, applicationId);
    const page = pageRequest(q);
    const [rows, total] = await this.dataSource.getRepository(ApplicationAttachment).findAndCount({
      where: { applicationId },
      order: { uploadedAt: 'ASC', id: 'ASC' },
      skip: page.offset,
      take: page.pageSize,
    });
    return toPage(rows, total, page);
  }

  /** The file, if its stored checksum still matches (a damaged file is never served as good). */
  async download(
    p: Principal,
    applicationId: string,
    id: string,
  ): Promise<{ info: AttachmentInfo; content: Buffer }> {
    await this.applications.get(p, applicationId);
    const row = await this.dataSource
      .getRepository(ApplicationAttachment)
      .createQueryBuilder('a')
      .addSelect('a.content')
      .where('a.id = :id AND a.application_id = :applicationId', { id, applicationId })
      .getOne();
    if (!row) throw new AppError('ATTACHMENT_NOT_FOUND');
    if (createHash('sha256').update(row.content).digest('hex') !== row.sha256)
      throw new Error(`attachment ${id} fails its checksum`);
    const { content, ...info } = row;
    return { info, content };
  }
}

/**
 * One's own department's application, read under its row's lock for the rest of the transaction; another's answers
 * null (as a missing one) without waiting on its lock.
 */
function lockOwn(m: EntityManager, p: Principal, id: string): Promise<AdmissionApplication | null> {
  return m.findOne(AdmissionApplication, {
    where: { id, applicantUnitId: p.unitId },
    lock: { mode: 'pessimistic_write' },
  });
}
