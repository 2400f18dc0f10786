import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const LIST_TYPES = ['allowed', 'prohibited'] as const;
/** allowed: the committee may issue the certificate; prohibited: it must not (e.g. 民发〔2020〕20号 附件). */
export type ListType = (typeof LIST_TYPES)[number];

export const TIME_LIMIT_KINDS = ['on-the-spot', 'working-days'] as const;
export type TimeLimitKind = (typeof TIME_LIMIT_KINDS)[number];

/**
 * One version of a published stamp list (盖章证明事项清单): a document with its number, issuing bodies and date,
 * its type and scope, and the days it is in force. Rows are never changed (a trigger refuses UPDATE and DELETE):
 * a change is a new version of the same `listKey` with its own dates, so every date keeps its answer.
 * Scope: '' is national; otherwise an administrative-division code prefix (GB/T 2260: 2 digits a province,
 * 4 a city, 6 a district) — a community is inside every scope whose code is a prefix of its unit code.
 */
@Entity('stamp_list')
@Index('ux_stamp_list_key_version', ['listKey', 'version'], { unique: true })
@Check('ck_stamp_list_type', `"list_type" IN ('allowed', 'prohibited')`)
@Check('ck_stamp_list_scope', `"scope_code" ~ '^([0-9]{2}|[0-9]{4}|[0-9]{6})?$'`)
@Check('ck_stamp_list_issued', `"issued_on" ~ '^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$'`)
@Check('ck_stamp_list_dates', `"effective_to" IS NULL OR "effective_to" >= "effective_from"`)
@Check('ck_stamp_list_version', `"version" >= 1`)
export class StampList {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** The list's identity across its versions. */
  @Column({ type: 'uuid' }) listKey: string;
  @Column({ type: 'integer' }) version: number;
  @Column({ type: 'varchar', length: 300 }) title: string;
  /** 文号, e.g. 民发〔2020〕20号. */
  @Index('ix_stamp_list_document')
  @Column({ type: 'varchar', length: 100 })
  documentNumber: string;
  /** 发文机关, several separated by spaces. */
  @Column({ type: 'varchar', length: 300 }) issuedBy: string;
  /** 成文日期: YYYY-MM-DD, or YYYY-MM where the source gives the month only. */
  @Column({ type: 'varchar', length: 10 }) issuedOn: string;
  @Column({ type: 'varchar', length: 500, nullable: true }) link: string | null;
  @Column({ type: 'varchar', length: 12 }) listType: ListType;
  @Index('ix_stamp_list_scope')
  @Column({ type: 'varchar', length: 6, default: '' })
  scopeCode: string;
  @Column({ type: 'date' }) effectiveFrom: string;
  /** The last day in force (inclusive); null: open-ended. */
  @Column({ type: 'date', nullable: true }) effectiveTo: string | null;
  /** Where the record came from (a file shipped with the service, the demo seed, …). */
  @Column({ type: 'varchar', length: 300, nullable: true }) recordedFrom: string | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) recordedAt: Date;
}

/**
 * One version of an entry (a certificate) of a stamp list, with its service guide (设定依据、办理用途、
 * 办理条件和材料、具体流程、证明式样、办理时限) and the days it is in force. Never changed: a new version of the same
 * `entryKey` replaces it from its own effective date on; a retirement is a new version with an end date.
 */
@Entity('stamp_entry')
@Index('ux_stamp_entry_key_version', ['entryKey', 'version'], { unique: true })
@Check('ck_stamp_entry_dates', `"effective_to" IS NULL OR "effective_to" >= "effective_from"`)
@Check('ck_stamp_entry_version', `"version" >= 1`)
@Check(
  'ck_stamp_entry_time_limit',
  `("time_limit_kind" IS NULL AND "time_limit_working_days" IS NULL) OR ("time_limit_kind" = 'on-the-spot' AND "time_limit_working_days" IS NULL) OR ("time_limit_kind" = 'working-days' AND "time_limit_working_days" BETWEEN 1 AND 60)`,
)
@Check('ck_stamp_entry_name', `length("name") BETWEEN 1 AND 100`)
export class StampEntry {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** The entry's identity across its versions. */
  @Column({ type: 'uuid' }) entryKey: string;
  @Column({ type: 'integer' }) version: number;
  /** The list it belongs to (any version of it: the list's own dates bound the entry's). */
  @Index('ix_stamp_entry_list')
  @Column({ type: 'uuid' })
  listKey: string;
  /** Its number in the document, when the document numbers its entries. */
  @Column({ type: 'integer', nullable: true }) seq: number | null;
  @Column({ type: 'varchar', length: 100 }) name: string;
  /** The names people actually use (养狗证明 for 居民养犬证明). */
  @Column({ type: 'text', array: true, default: () => "'{}'" }) aliases: string[];
  /** 设定依据: the law and article, or the list itself. */
  @Column({ type: 'text' }) legalBasis: string;
  /** 办理用途. */
  @Column({ type: 'text', nullable: true }) purpose: string | null;
  /** 办理条件和所需材料. */
  @Column({ type: 'text', nullable: true }) conditions: string | null;
  /** 具体流程. */
  @Column({ type: 'text', nullable: true }) procedure: string | null;
  /** 证明式样: an attachment, when one was provided. */
  @Column({ type: 'uuid', nullable: true }) sampleFormAttachmentId: string | null;
  /** 办理时限: on the spot (当场办结) or within N working days; null where it does not apply (a prohibition). */
  @Column({ type: 'varchar', length: 16, nullable: true }) timeLimitKind: TimeLimitKind | null;
  @Column({ type: 'integer', nullable: true }) timeLimitWorkingDays: number | null;
  @Column({ type: 'date' }) effectiveFrom: string;
  /** The last day in force (inclusive); null: open-ended. */
  @Column({ type: 'date', nullable: true }) effectiveTo: string | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) recordedAt: Date;
}
