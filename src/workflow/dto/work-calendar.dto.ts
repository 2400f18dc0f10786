import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { CalendarImportResult } from '../work-calendar-import.js';

/** A work-calendar file to import, as JSON (like an attachment): its name and its CSV text. */
export class ImportCalendarDto {
  @ApiProperty({
    example: 'work-calendar-cn-2027.csv',
    description:
      'The file’s name: the import is recorded under it (a file of the same name imported again replaces the record)',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,43}$/, {
    message:
      '文件名（fileName）只能含字母、数字、点、下划线和连字符，最长 44 个字符，如 work-calendar-cn-2027.csv。fileName may hold only letters, digits, dots, underscores and dashes, at most 44 characters, e.g. work-calendar-cn-2027.csv.',
  })
  fileName: string;

  @ApiProperty({
    example:
      'date,kind,name,source\n2027-02-06,holiday,春节,国务院办公厅关于2027年部分节假日安排的通知\n2027-02-14,workday,春节调休上班,国务院办公厅关于2027年部分节假日安排的通知\n',
    description:
      'The CSV text (UTF-8): a header `date,kind,name,source`, then one line per day — `holiday` for a day off, ' +
      '`workday` for a weekend day worked instead (调休上班). Days the file does not mention stay as they are.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(200_000)
  csv: string;
}

export class CalendarImportDto {
  @ApiProperty({ example: 'work-calendar-cn-2027.csv' }) fileName: string;
  @ApiProperty({ description: 'SHA-256 of the CSV text, hex' }) sha256: string;
  @ApiProperty({ description: 'Days the file marks' }) days: number;
  @ApiProperty({ description: 'Days marked for the first time' }) added: number;
  @ApiProperty({ description: 'Days that were marked otherwise and now are as the file says' })
  changed: number;
  @ApiProperty({ description: 'Days already marked as the file says (all of them when imported again)' })
  unchanged: number;
  @ApiProperty({ type: [Number], example: [2027] }) years: number[];
}

export function toCalendarImportDto(r: CalendarImportResult): CalendarImportDto {
  return {
    fileName: r.fileName,
    sha256: r.sha256,
    days: r.days,
    added: r.added,
    changed: r.changed,
    unchanged: r.unchanged,
    years: r.years,
  };
}
