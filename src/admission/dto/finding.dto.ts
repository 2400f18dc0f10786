import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

/** Overriding a failing finding of the automatic checks: the written reason is required (issue 11 item 1). */
export class OverrideFindingDto {
  @ApiProperty({
    description: 'Why the application may go on despite the failing check (at most 2000 characters)',
    example: '该项工作系区委区政府年度重点任务，已商申请部门压缩为每季度一次，同意放行。',
    maxLength: 2000,
  })
  @IsString({ message: 'reason 须为文字。reason must be text.' })
  @Matches(/\S/, { message: 'reason 不能为空，请写明放行理由。reason may not be empty; give the reason.' })
  @MaxLength(2000, {
    message: 'reason 最多 2000 个字符，请精简。reason is at most 2000 characters; shorten it.',
  })
  reason: string;
}
