import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsBase64Text, SingleLine } from '../../common/validation.js';
import type { SampleFormInfo } from '../stamp-sample-forms.service.js';

export class UploadStampSampleFormDto {
  @ApiProperty({ example: '居住证明式样.pdf', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/^[^/\\\0]+$/, { message: '文件名不能含路径。The file name may not contain a path.' })
  @SingleLine()
  fileName: string;

  @ApiProperty({
    enum: ['application/pdf', 'image/png', 'image/jpeg'],
    description:
      'Checked against the content’s first bytes: another type, or content of another type, answers 415',
  })
  @IsString()
  @MaxLength(100)
  contentType: string;

  @ApiProperty({
    description: 'The file, base64-encoded (at most ATTACHMENT_MAX_BYTES once decoded, else 413)',
  })
  @IsString()
  @IsBase64Text()
  contentBase64: string;
}

export class StampSampleFormDto {
  @ApiProperty({ description: 'Name it as sampleFormAttachmentId in a proposal’s entry' }) id: string;
  @ApiProperty() fileName: string;
  @ApiProperty({ enum: ['application/pdf', 'image/png', 'image/jpeg'] }) contentType: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty({ description: 'SHA-256 of the content, hex' }) sha256: string;
}

/** A sample form as the registry's answers link it. */
export class StampSampleFormRefDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: '居住证明式样.pdf' }) fileName: string;
  @ApiProperty({
    example: '/stamp-sample-forms/0b7c…',
    description: 'Where to download it, without logging in (GET /stamp-sample-forms/:id)',
  })
  url: string;
}

export function toStampSampleFormDto(f: SampleFormInfo): StampSampleFormDto {
  return {
    id: f.id,
    fileName: f.fileName,
    contentType: f.contentType,
    sizeBytes: f.sizeBytes,
    sha256: f.sha256,
  };
}
