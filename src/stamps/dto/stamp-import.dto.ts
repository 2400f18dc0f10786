import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { IsBase64Text, Optional, SingleLine } from '../../common/validation.js';
import { ROW_OUTCOMES, type RowOutcome } from '../stamp-import-compare.js';
import { IMPORT_COLUMNS, type DocumentValues } from '../stamp-import-rows.js';
import type { StampImport, StampImportRow } from '../stamp-import.entities.js';

/**
 * What a published list says once for all its rows (its type, scope, document, issuing bodies, date), for a file
 * whose table has only the certificates: each is the text a cell of that column would hold, checked as a cell is,
 * and fills that column's empty cells (a cell the file fills wins).
 */
export class StampImportDocumentDto {
  @ApiPropertyOptional({
    example: 'allowed',
    description: 'list_type of every row: allowed (保留) or prohibited (不应出具)',
  })
  @Optional()
  @IsString()
  @MaxLength(20)
  @SingleLine()
  listType?: string;

  @ApiPropertyOptional({
    example: '3399',
    description: 'scope: national, a 2/4/6-digit division code, or a name here',
  })
  @Optional()
  @IsString()
  @MaxLength(100)
  @SingleLine()
  scope?: string;

  @ApiPropertyOptional({
    example: '示民发〔2021〕15号 附件《示范市保留的证明事项清单》',
    description: 'source_document',
  })
  @Optional()
  @IsString()
  @MaxLength(500)
  @SingleLine()
  sourceDocument?: string;

  @ApiPropertyOptional({
    example: '示范市民政局',
    description: 'issued_by (the bodies themselves: 同上 has no row above here)',
  })
  @Optional()
  @IsString()
  @MaxLength(300)
  @SingleLine()
  // 同上 with spaces around it is 同上 too.
  @Matches(/^(?!\s*同上\s*$)/u, {
    message:
      '整份清单的发文机关（document.issuedBy）须写出机关名称，不能填“同上”。document.issuedBy must name the issuing bodies.',
  })
  issuedBy?: string;

  @ApiPropertyOptional({ example: '2021-06-15', description: 'issued: YYYY-MM or YYYY-MM-DD' })
  @Optional()
  @IsString()
  @MaxLength(20)
  @SingleLine()
  issued?: string;
}

/** The document values as the columns they fill. */
export function documentValues(d: StampImportDocumentDto | undefined): DocumentValues {
  return {
    list_type: d?.listType,
    scope: d?.scope,
    source_document: d?.sourceDocument,
    issued_by: d?.issuedBy,
    issued: d?.issued,
  };
}

/** A stamp-list file to check (the dry run), as JSON like an attachment: its name and its bytes in base64. */
export class StartStampImportDto {
  @ApiProperty({
    example: '示范市保留证明事项清单.csv',
    description: 'The file’s name: it must end in .csv or .xlsx (and the content must be what it says)',
    maxLength: 200,
  })
  @IsDefined({ message: '文件名（fileName）须填写。fileName is required.' })
  @IsString()
  @MinLength(1, { message: '文件名（fileName）须填写。fileName is required.' })
  @MaxLength(200, { message: '文件名（fileName）最多 200 个字符。fileName may have at most 200 characters.' })
  @Matches(/^[^/\\\0]+$/, { message: '文件名不能含路径。The file name may not contain a path.' })
  @SingleLine()
  fileName: string;

  @ApiProperty({
    description:
      'The file, base64-encoded: CSV (UTF-8 with or without BOM, or GB18030/GBK as Chinese Excel saves it) or XLSX ' +
      '(the first worksheet; the header in row 1, or under a title row as published lists have). At most 2 MB and ' +
      '5,000 rows (413 STAMP_IMPORT_TOO_LARGE); a workbook too complex to read within IMPORT_READ_SECONDS (30 s) ' +
      'or IMPORT_READ_MEMORY_MB answers 413 STAMP_IMPORT_TOO_COMPLEX; with four others waiting to be read, 503 ' +
      'STAMP_IMPORT_BUSY (Retry-After).',
  })
  @IsString({ message: '文件内容（contentBase64）须为 base64 文本。contentBase64 must be base64 text.' })
  @IsBase64Text()
  contentBase64: string;

  @ApiPropertyOptional({
    type: StampImportDocumentDto,
    description:
      'What the list says once for all its rows; a required column it gives may be left out of the file, and fills the empty cells of that column',
  })
  @Optional()
  @IsObject()
  @ValidateNested({
    message:
      'document（整份清单共用的信息）须为对象 { listType, scope, sourceDocument, issuedBy, issued }。document must be an object.',
  })
  @Type(() => StampImportDocumentDto)
  document?: StampImportDocumentDto;
}

export class StampImportRowsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ROW_OUTCOMES, description: 'Only the rows of this outcome' })
  @IsOptional()
  @IsIn(ROW_OUTCOMES, {
    message:
      '结果（outcome）须为 added、changed、unchanged 或 rejected。outcome must be added, changed, unchanged or rejected.',
  })
  outcome?: RowOutcome;
}

export class StampImportCountsDto {
  @ApiProperty({ description: 'Data rows in the file' }) total: number;
  @ApiProperty({ description: 'Rows that add a certificate (to a list in force, or in a new list)' })
  added: number;
  @ApiProperty({ description: 'Rows that change a certificate in force' }) changed: number;
  @ApiProperty({ description: 'Rows the registry already says the same as' }) unchanged: number;
  @ApiProperty({ description: 'Rows rejected, each with its reasons' }) rejected: number;
  @ApiProperty({
    description:
      'Good rows of an allowed list whose certificate a prohibited list in force at the same or a wider scope names: it stays prohibited there (see each row’s notes)',
  })
  stillProhibited: number;
}

export class StampImportListDto {
  @ApiProperty({ example: '民发〔2020〕20号' }) documentNumber: string;
  @ApiProperty({ description: "'' national, else a 2/4/6-digit division code", example: '3399' })
  scopeCode: string;
  @ApiProperty({ enum: ['allowed', 'prohibited'] }) listType: string;
  @ApiProperty() title: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The list in force the rows add to; null: a new list',
  })
  listKey: string | null;
  @ApiProperty({ description: 'Good rows naming this list' }) rows: number;
  @ApiProperty({ description: 'Of those, the rows that add or change a certificate' }) proposable: number;
}

export class StampImportProposalDto {
  @ApiProperty() proposalId: string;
  @ApiProperty({ description: 'The approval case (/console/cases/:id)' }) instanceId: string;
  @ApiProperty() proposedAt: string;
}

export class StampImportProblemDto {
  @ApiProperty({
    type: String,
    nullable: true,
    enum: [...IMPORT_COLUMNS.map((c) => c.key), null],
    description: 'The column at fault; null: the row',
  })
  field: string | null;
  @ApiProperty({ description: 'What is wrong and what to write instead, in Chinese and English' })
  message: string;
}

export class StampImportCommonProblemDto extends StampImportProblemDto {
  @ApiProperty({ description: 'How many rejected rows have this problem (2 or more)' }) rows: number;
  @ApiProperty({ description: 'The first of them (line in the file)' }) firstLine: number;
  @ApiProperty({ description: 'The last of them (line in the file)' }) lastLine: number;
}

export class StampImportScopeDto {
  @ApiProperty({ description: "'' national, else a 2/4/6-digit division code", example: '3399' })
  code: string;
  @ApiProperty({ description: '全国, the division’s name, or its code and level', example: '示范市' })
  name: string;
}

export class StampImportDto {
  @ApiProperty() id: string;
  @ApiProperty() fileName: string;
  @ApiProperty({ enum: ['csv', 'xlsx'] }) format: string;
  @ApiProperty({ type: String, nullable: true, enum: ['utf-8', 'gb18030', null], description: 'CSV only' })
  encoding: string | null;
  @ApiProperty() sizeBytes: number;
  @ApiProperty({ description: 'SHA-256 of the file, hex' }) sha256: string;
  @ApiProperty({ description: 'The line of the file its header was found on (1, or under a title)' })
  headerLine: number;
  @ApiProperty({
    type: StampImportDocumentDto,
    description: 'What was said once beside the file (only the values given; {} when none)',
  })
  document: StampImportDocumentDto;
  @ApiProperty({ type: [String], description: 'Header cells that name no column (left out)' })
  ignoredColumns: string[];
  @ApiProperty({ type: StampImportCountsDto }) counts: StampImportCountsDto;
  @ApiProperty({ type: [StampImportListDto] }) lists: StampImportListDto[];
  @ApiProperty({
    type: [StampImportCommonProblemDto],
    description:
      'Problems that several rejected rows share, told once, most rows first (each row still lists its own); [] for imports run before this was kept',
  })
  commonProblems: StampImportCommonProblemDto[];
  @ApiProperty({
    type: [StampImportScopeDto],
    description: 'The names of the scopes its lists and rows name ([] for imports run before this was kept)',
  })
  scopes: StampImportScopeDto[];
  @ApiProperty({ description: 'The day the rows were compared with the registry' }) comparedOn: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: StampImportProposalDto, nullable: true }) proposal: StampImportProposalDto | null;
  @ApiProperty({
    description:
      'Whether its good rows can be proposed now (not yet proposed, something to change, all in one scope)',
  })
  canPropose: boolean;
}

export class StampImportRowListDto {
  @ApiProperty() documentNumber: string;
  @ApiProperty() scopeCode: string;
  @ApiProperty({ enum: ['allowed', 'prohibited'] }) listType: string;
  @ApiProperty({ type: String, nullable: true }) listKey: string | null;
}

export class StampImportFieldChangeDto {
  @ApiProperty({
    enum: [
      'seq',
      'name',
      'aliases',
      'legalBasis',
      'purpose',
      'conditions',
      'procedure',
      'timeLimit',
      'effectiveTo',
    ],
  })
  field: string;
  @ApiProperty({ type: String, nullable: true }) before: string | null;
  @ApiProperty({ type: String, nullable: true }) after: string | null;
}

export class StampImportRowDto {
  @ApiProperty({ description: 'The row’s number in the file (the header is 1)' }) line: number;
  @ApiProperty({ enum: ROW_OUTCOMES }) outcome: string;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty({ type: StampImportRowListDto, nullable: true }) list: StampImportRowListDto | null;
  @ApiProperty({ type: String, nullable: true, description: 'The entry in force the row matched' })
  entryKey: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The day its change would take effect' })
  effectiveFrom: string | null;
  @ApiProperty({ type: [StampImportFieldChangeDto] }) changes: StampImportFieldChangeDto[];
  @ApiProperty({ type: [StampImportProblemDto] }) problems: StampImportProblemDto[];
  @ApiProperty({
    type: [StampImportProblemDto],
    description:
      'For a good row: what it meets in the registry — a prohibition in force at its scope or wider, which wins over an allowance',
  })
  notes: StampImportProblemDto[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'The row’s cells by column',
  })
  values: Record<string, string>;
}

export function toStampImportDto(i: StampImport): StampImportDto {
  return {
    id: i.id,
    fileName: i.fileName,
    format: i.format,
    encoding: i.encoding,
    sizeBytes: i.sizeBytes,
    sha256: i.sha256,
    headerLine: i.headerLine,
    document: i.document,
    ignoredColumns: i.ignoredColumns,
    counts: { ...i.counts, stillProhibited: i.counts.stillProhibited ?? 0 },
    lists: i.lists,
    commonProblems: i.commonProblems ?? [],
    scopes: i.scopes ?? [],
    comparedOn: String(i.comparedOn),
    createdAt: i.createdAt.toISOString(),
    proposal:
      i.proposalId && i.proposalInstanceId && i.proposedAt
        ? {
            proposalId: i.proposalId,
            instanceId: i.proposalInstanceId,
            proposedAt: i.proposedAt.toISOString(),
          }
        : null,
    // One proposal changes the lists of one scope (STAMP_IMPORT_SEVERAL_SCOPES otherwise).
    canPropose:
      !i.proposalId &&
      i.counts.added + i.counts.changed > 0 &&
      new Set(i.lists.filter((l) => l.proposable > 0).map((l) => l.scopeCode)).size === 1,
  };
}

export function toStampImportRowDto(r: StampImportRow): StampImportRowDto {
  return {
    line: r.line,
    outcome: r.outcome,
    name: r.name,
    list: r.list,
    entryKey: r.entryKey,
    effectiveFrom: r.effectiveFrom === null ? null : String(r.effectiveFrom),
    changes: r.changes,
    problems: r.problems,
    notes: r.notes ?? [],
    values: r.values as Record<string, string>,
  };
}
