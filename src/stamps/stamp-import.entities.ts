import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import type { ComparedList, FieldChange, RowOutcome } from './stamp-import-compare.js';
import type { ImportDocument, RowProblem, RowValues } from './stamp-import-rows.js';

export interface StampImportCounts {
  total: number;
  added: number;
  changed: number;
  unchanged: number;
  rejected: number;
  /** Good rows whose certificate a prohibition at their scope or wider keeps prohibited (absent before it was kept). */
  stillProhibited?: number;
}

/**
 * A dry run of a stamp-list import (issue 13 §5): the file's name, type and hash, what its rows would do against
 * the registry on the day it ran, by whom, and — once its good rows were proposed — the proposal. Seen only by the
 * office that ran it. The file itself is not kept: its rows' cells are (stamp_import_row.values).
 */
@Entity('stamp_import')
@Index('ix_stamp_import_unit', ['unitId', 'createdAt'])
@Check('ck_stamp_import_format', `"format" IN ('csv', 'xlsx')`)
@Check('ck_stamp_import_document', `jsonb_typeof("document") = 'object'`)
@Check('ck_stamp_import_header_line', `"header_line" >= 1`)
export class StampImport {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** The office that ran it (a leading group's office). */
  @Column({ type: 'uuid' }) unitId: string;
  @Column({ type: 'uuid' }) createdBy: string;
  @Column({ type: 'varchar', length: 200 }) fileName: string;
  @Column({ type: 'varchar', length: 4 }) format: 'csv' | 'xlsx';
  /** CSV only: utf-8 or gb18030. */
  @Column({ type: 'varchar', length: 10, nullable: true }) encoding: string | null;
  @Column({ type: 'integer' }) sizeBytes: number;
  @Column({ type: 'char', length: 64 }) sha256: string;
  /** The line of the file the header was found on (a list as published has a title above its table). */
  @Column({ type: 'integer', default: 1 }) headerLine: number;
  /** What was said once beside the file (only the values given): it filled its columns' empty cells. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) document: ImportDocument;
  /** Header cells that name no column (left out of the import, shown to the clerk). */
  @Column({ type: 'text', array: true, default: () => "'{}'" }) ignoredColumns: string[];
  @Column({ type: 'jsonb' }) counts: StampImportCounts;
  /** The lists the rows name: new ones, and those in force they add to or change. */
  @Column({ type: 'jsonb' }) lists: ComparedList[];
  /** A problem told on several rejected rows, once (a district office importing a national list: every row). */
  @Column({ type: 'jsonb', default: () => "'[]'" }) commonProblems: CommonProblem[];
  /** The names of the scopes its rows and lists name (for the report: 示范市 rather than 3399). */
  @Column({ type: 'jsonb', default: () => "'[]'" }) scopes: ImportScope[];
  /** The day the rows were compared with the registry (the default day a change takes effect). */
  @Column({ type: 'date' }) comparedOn: string;
  @Column({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'uuid', nullable: true }) proposalId: string | null;
  @Column({ type: 'uuid', nullable: true }) proposalInstanceId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) proposedAt: Date | null;
}

/** A problem several rejected rows share: the same column and words, on `rows` rows from `firstLine` to `lastLine`. */
export interface CommonProblem extends RowProblem {
  rows: number;
  firstLine: number;
  lastLine: number;
}

/** A scope an import names: its code ('' national) and its name as a clerk reads it. */
export interface ImportScope {
  code: string;
  name: string;
}

/** One data row of an import and what it would do: added, changed (the fields), unchanged, or rejected (why). */
@Entity('stamp_import_row')
@Index('ix_stamp_import_row_outcome', ['importId', 'outcome', 'line'])
@Check('ck_stamp_import_row_outcome', `"outcome" IN ('added', 'changed', 'unchanged', 'rejected')`)
export class StampImportRow {
  @PrimaryColumn({ type: 'uuid' }) importId: string;
  @ManyToOne(() => StampImport, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'import_id', foreignKeyConstraintName: 'fk_stamp_import_row_import' })
  import?: Relation<StampImport>;
  /** The row's number in the file (the header is 1). */
  @PrimaryColumn({ type: 'integer' }) line: number;
  @Column({ type: 'varchar', length: 10 }) outcome: RowOutcome;
  /** The certificate's name as the row gives it (any length: a long one is rejected, and shown). */
  @Column({ type: 'text', nullable: true }) name: string | null;
  /** The list the row names: document number, scope, type, and the list in force it matched (or null). */
  @Column({ type: 'jsonb', nullable: true }) list: {
    documentNumber: string;
    scopeCode: string;
    listType: string;
    listKey: string | null;
  } | null;
  @Column({ type: 'uuid', nullable: true }) entryKey: string | null;
  @Column({ type: 'date', nullable: true }) effectiveFrom: string | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) changes: FieldChange[];
  @Column({ type: 'jsonb', default: () => "'[]'" }) problems: RowProblem[];
  /** What a good row would meet in the registry: a prohibition in force at its scope or wider that wins over it. */
  @Column({ type: 'jsonb', default: () => "'[]'" }) notes: RowProblem[];
  /** The row's cells by column. */
  @Column({ type: 'jsonb' }) values: RowValues;
}
