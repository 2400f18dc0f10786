import type { PipeTransform } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsDateString,
  IsDefined,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { isBlank, isCalendarDay, makeValidationPipe, trimText } from '../../common/validation.js';
import type { Decision } from '../precedence.js';
import { StampSampleFormRefDto } from './stamp-sample-forms.dto.js';

const DATE_MESSAGE =
  '日期（date）须为 YYYY-MM-DD 格式的日期，如 2026-12-01。date must be a day written YYYY-MM-DD, e.g. 2026-12-01.';
const COMMUNITY_MESSAGE =
  '社区（community）须为社区的单位代码（如 339901001001）或单位编号，不超过 64 个字符。community must be a community’s unit code or id, at most 64 characters.';

/** The community and day a question is asked for. */
class StampScopeQuery extends PageQuery {
  @ApiPropertyOptional({
    description:
      'The community: its unit code (e.g. 339901001001) or its unit id. Without it only the national lists apply (check) / every list is searched (search).',
    example: '339901001001',
  })
  @IsOptional()
  @IsString({ message: COMMUNITY_MESSAGE })
  @MinLength(1, { message: COMMUNITY_MESSAGE })
  @MaxLength(64, { message: COMMUNITY_MESSAGE })
  community?: string;

  @ApiPropertyOptional({ description: 'The day to answer for (YYYY-MM-DD, China time); default today' })
  @IsOptional()
  @IsString({ message: DATE_MESSAGE })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: DATE_MESSAGE })
  @IsDateString({ strict: true }, { message: DATE_MESSAGE })
  date?: string;
}

export class StampSearchQuery extends StampScopeQuery {
  @ApiPropertyOptional({
    description:
      'What to look for, typed as people type it (养狗证明, 无犯罪记录, 开个居住证明); empty: every entry',
    maxLength: 100,
  })
  @IsOptional()
  @Transform(trimText)
  @IsString({ message: '查询词（q）须为文本。q must be text.' })
  @MaxLength(100, { message: '查询词（q）不能超过 100 个字。q must be at most 100 characters.' })
  q?: string;
}

export class StampCheckQuery extends StampScopeQuery {
  @ApiProperty({
    description:
      'The certificate asked for, as typed (full/half width, spaces, 开具…证明, short forms and common names)',
    example: '养狗证明',
    minLength: 1,
    maxLength: 100,
  })
  @Transform(trimText)
  @IsDefined({ message: '证明名称（name）须填写，如“居住证明”。name is required, e.g. 居住证明.' })
  @IsString()
  @MinLength(1, { message: '证明名称（name）不能为空，请输入要开具的证明名称。name must not be empty.' })
  @MaxLength(100, { message: '证明名称（name）不能超过 100 个字。name must be at most 100 characters.' })
  name: string;
}

/** The check's question once validated: the name trimmed. */
export interface StampCheckParams {
  name: string;
  community?: string;
  date?: string;
}

/** A community's unit code or id as the public pages send it (anything else is validated by the rules above). */
const PLAIN_COMMUNITY = /^[0-9A-Za-z-]{1,64}$/;

/**
 * The public check's query (StampCheckQuery), validated for what it is asked thousands of times a second: a query
 * that plainly meets the rules above — only name, community and date, each sent once; the name 1–100 characters
 * once trimmed; the community a code or id; the date a real day YYYY-MM-DD — is taken as it is (the name trimmed)
 * without class-transformer and class-validator; anything else goes through the same ValidationPipe as every
 * route, against StampCheckQuery, so each refusal is the same 400 with the same messages. The route's parameter
 * is not typed with the class, so the global pipe leaves it to this one (the OpenAPI documents StampCheckQuery).
 */
export class StampCheckQueryPipe implements PipeTransform<unknown, Promise<StampCheckParams>> {
  private readonly validation = makeValidationPipe();

  async transform(value: unknown): Promise<StampCheckParams> {
    const plain = plainCheckQuery(value);
    if (plain) return plain;
    return (await this.validation.transform(value, {
      type: 'query',
      metatype: StampCheckQuery,
      data: undefined,
    })) as StampCheckQuery;
  }
}

/** The query as StampCheckParams when it plainly meets StampCheckQuery's rules; else null (validate it fully). */
export function plainCheckQuery(value: unknown): StampCheckParams | null {
  if (typeof value !== 'object' || value === null) return null;
  const { name, community, date } = value as Record<string, unknown>;
  let keys = 1;
  if (community !== undefined) keys++;
  if (date !== undefined) keys++;
  if (typeof name !== 'string' || Object.keys(value).length !== keys) return null;
  const trimmed = name.trim();
  // Variation selectors do not count towards a length for class-validator: such a name is measured there.
  if (trimmed.length < 1 || trimmed.length > 100 || /[\uFE0E\uFE0F]/.test(trimmed)) return null;
  // A name of nothing visible (a zero-width space) is refused by the full validation, as trimText makes it ''.
  if (isBlank(trimmed)) return null;
  if (community !== undefined && (typeof community !== 'string' || !PLAIN_COMMUNITY.test(community)))
    return null;
  if (date !== undefined && (typeof date !== 'string' || !isCalendarDay(date))) return null;
  return { name: trimmed, community, date };
}

export class StampTimeLimitDto {
  @ApiProperty({ enum: ['on-the-spot', 'working-days'] }) kind: 'on-the-spot' | 'working-days';
  @ApiProperty({ nullable: true, type: Number, description: 'For working-days: how many' })
  workingDays: number | null;
  @ApiProperty({ description: 'In Chinese, e.g. 当场办结 or 3个工作日内办结' }) text: string;
}

export class StampItemDto {
  @ApiProperty({ description: 'This version of the entry' }) id: string;
  @ApiProperty({ description: 'The entry across its versions' }) entryKey: string;
  @ApiProperty() version: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Its number in the document' }) seq:
    number | null;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String], description: 'The names people use for it' }) aliases: string[];
  @ApiProperty({ enum: ['allowed', 'prohibited'] }) listType: 'allowed' | 'prohibited';
  @ApiProperty({ description: '设定依据' }) legalBasis: string;
  @ApiProperty({ nullable: true, type: String, description: '办理用途' }) purpose: string | null;
  @ApiProperty({ nullable: true, type: String, description: '办理条件和所需材料' }) conditions: string | null;
  @ApiProperty({ nullable: true, type: String, description: '具体流程' }) procedure: string | null;
  @ApiProperty({ nullable: true, type: String, description: '证明式样 (an attachment id)' })
  sampleFormAttachmentId: string | null;
  @ApiProperty({
    nullable: true,
    type: StampSampleFormRefDto,
    description: '证明式样: its file name and where to download it without logging in; null: none given',
  })
  sampleForm: StampSampleFormRefDto | null;
  @ApiProperty({ nullable: true, type: StampTimeLimitDto, description: '办理时限' })
  timeLimit: StampTimeLimitDto | null;
  @ApiProperty({ example: '2020-04-01' }) effectiveFrom: string;
  @ApiProperty({ nullable: true, type: String, description: 'Last day in force; null: open-ended' })
  effectiveTo: string | null;
}

export class StampScopeDto {
  @ApiProperty({ description: "'' for national, else the division code" }) code: string;
  @ApiProperty({ enum: ['national', 'province', 'city', 'district'] })
  level: 'national' | 'province' | 'city' | 'district';
  @ApiProperty({ description: 'In Chinese: 全国, or the division’s name (示范市), or its code and level' })
  name: string;
}

export class StampSourceDto {
  @ApiProperty({ description: 'This version of the list' }) listId: string;
  @ApiProperty() listKey: string;
  @ApiProperty() title: string;
  @ApiProperty({ description: '文号' }) documentNumber: string;
  @ApiProperty({ description: '发文机关' }) issuedBy: string;
  @ApiProperty({ description: 'YYYY-MM-DD, or YYYY-MM where the document gives the month only' })
  issuedOn: string;
  @ApiProperty({ nullable: true, type: String }) link: string | null;
  @ApiProperty({ enum: ['allowed', 'prohibited'] }) listType: 'allowed' | 'prohibited';
  @ApiProperty({ type: StampScopeDto }) scope: StampScopeDto;
  @ApiProperty() effectiveFrom: string;
  @ApiProperty({ nullable: true, type: String }) effectiveTo: string | null;
}

export class StampOverriddenDto {
  @ApiProperty({ type: StampItemDto }) item: StampItemDto;
  @ApiProperty({ type: StampSourceDto }) source: StampSourceDto;
  @ApiProperty({
    enum: ['superseded', 'prohibited-elsewhere'],
    description:
      'superseded: a newer document of the same scope replaced it; prohibited-elsewhere: a prohibition in force (at any level) wins over this allowance',
  })
  reason: 'superseded' | 'prohibited-elsewhere';
}

export class StampCandidateDto {
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['allowed', 'prohibited'] }) listType: 'allowed' | 'prohibited';
  @ApiProperty() documentNumber: string;
  @ApiProperty({ type: StampScopeDto }) scope: StampScopeDto;
}

export class StampCommunityDto {
  @ApiProperty() id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
}

export class StampCheckDto {
  @ApiProperty({
    enum: ['allowed', 'prohibited', 'not-listed'],
    description:
      'allowed: the committee may issue it; prohibited: it must not; not-listed: no list in force names it (no legal basis known here)',
  })
  decision: Decision;
  @ApiProperty({ description: 'The name as asked' }) name: string;
  @ApiProperty({ nullable: true, type: StampCommunityDto, description: 'null: the national answer' })
  community: StampCommunityDto | null;
  @ApiProperty({ description: 'The day answered for (YYYY-MM-DD)' }) date: string;
  @ApiProperty({ nullable: true, type: StampItemDto, description: 'The deciding entry' })
  item: StampItemDto | null;
  @ApiProperty({ nullable: true, type: String, description: 'The deciding entry’s legal basis' })
  legalBasis: string | null;
  @ApiProperty({ nullable: true, type: StampSourceDto, description: 'The document of the deciding entry' })
  source: StampSourceDto | null;
  @ApiProperty({ type: [StampOverriddenDto], description: 'The entries the deciding one overrode' })
  overridden: StampOverriddenDto[];
  @ApiProperty({
    type: [StampCandidateDto],
    description:
      'not-listed only: the closest listed certificates, when the name was not clear enough to decide',
  })
  candidates: StampCandidateDto[];
  @ApiProperty({ description: 'The answer in Chinese, saying what to do' }) message: string;
}

export class StampSearchRowDto {
  @ApiProperty({ type: StampItemDto }) item: StampItemDto;
  @ApiProperty({ type: StampSourceDto }) source: StampSourceDto;
}
