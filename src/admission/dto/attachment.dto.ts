import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { IsBase64Text } from '../../common/validation.js';

export const ATTACHMENT_TYPES = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
] as const;

export class UploadAttachmentDto {
  @ApiProperty({ example: '政策依据.pdf' })
  @IsString()
  @MaxLength(200)
  @Matches(/^[^/\\\0]+$/, { message: '文件名不能含路径。The file name may not contain a path.' })
  fileName: string;

  @ApiProperty({ enum: ATTACHMENT_TYPES })
  @IsIn(ATTACHMENT_TYPES as unknown as string[], {
    message: '只接受 PDF、JPEG、PNG、docx、xlsx。Only PDF, JPEG, PNG, docx and xlsx are accepted.',
  })
  contentType: string;

  @ApiProperty({ description: 'The file, base64-encoded' }) @IsString() @IsBase64Text() contentBase64: string;
}
