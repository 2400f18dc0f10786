import {
  Body,
  Controller,
  Get,
  Injectable,
  Param,
  Post,
  Res,
  UseGuards,
  type ExecutionContext,
} from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public, Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { CurrentActor, type Actor, type AuthedRequest } from '../common/actor.js';
import { uuidOr404 } from '../common/id-param.js';
import {
  StampSampleFormDto,
  toStampSampleFormDto,
  UploadStampSampleFormDto,
} from './dto/stamp-sample-forms.dto.js';
import { SAMPLE_FORM_TYPES, StampSampleFormsService } from './stamp-sample-forms.service.js';

/**
 * The caller of a public route, if a valid token came with it: the uploader and the approvers may read a sample
 * form before it is published; without a token (or with one no longer valid) the route answers as for anyone.
 */
@Injectable()
export class OptionalLogin extends AuthGuard('jwt') {
  override handleRequest<T>(err: unknown, user: T, _info: unknown, _context: ExecutionContext): T {
    if (err) throw err;
    return (user || undefined) as T;
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    if (!req.headers.authorization) return true;
    await super.canActivate(context);
    return true;
  }
}

/** RFC 5987: the file name as UTF-8, every character outside attr-char percent-encoded. */
function contentDisposition(fileName: string): string {
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  // An ASCII name for old clients: the extension kept, everything else replaced.
  const ext = /\.[A-Za-z0-9]{1,5}$/.exec(fileName)?.[0] ?? '';
  const ascii = /^[\x20-\x7e]+$/.test(fileName) && !/["\\]/.test(fileName) ? fileName : `sample-form${ext}`;
  return `inline; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

const UPLOAD =
  'Upload the sample form (证明式样) of a stamp-list entry: a PDF, PNG or JPEG file (its first bytes must match the type: 415; larger than ATTACHMENT_MAX_BYTES: 413), base64 in JSON as the application attachments are. Name the answer’s id as sampleFormAttachmentId of an entry in a proposal of the same office; it is public once the proposal is published';
const DOWNLOAD =
  'Download a sample form (证明式样). Public without a token once a published entry names it (cached: the content of an id never changes); before that only the uploading office and the approvers of a proposal naming it (with their token) — anyone else 404 as for a missing one. The SHA-256 is in x-content-sha256 and checked before sending';

@ApiTags('stamp registry')
@Controller('stamp-sample-forms')
export class StampSampleFormsController {
  constructor(private readonly forms: StampSampleFormsService) {}

  @Post()
  @Requires(
    UPLOAD,
    [Permission.REGISTRY_MANAGE],
    ['STAMP_SAMPLE_FORM_TOO_LARGE', 'STAMP_SAMPLE_FORM_TYPE_NOT_ALLOWED', 'PAYLOAD_TOO_LARGE'],
  )
  @ApiCreatedResponse({ type: StampSampleFormDto })
  async upload(@Body() dto: UploadStampSampleFormDto, @CurrentActor() a: Actor): Promise<StampSampleFormDto> {
    return toStampSampleFormDto(await this.forms.upload(a, dto));
  }

  @Get(':id')
  @Public(DOWNLOAD, ['STAMP_SAMPLE_FORM_NOT_FOUND'])
  @UseGuards(OptionalLogin)
  @ApiBearerAuth()
  @ApiProduces(...Object.keys(SAMPLE_FORM_TYPES))
  @ApiOkResponse({ description: 'The file as uploaded', schema: { type: 'string', format: 'binary' } })
  async download(
    @Param('id', uuidOr404('STAMP_SAMPLE_FORM_NOT_FOUND')) id: string,
    @CurrentActor() a: Actor,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { info, content, published } = await this.forms.download(a.principal, id);
    await reply
      .header('content-type', info.contentType)
      .header('content-disposition', contentDisposition(info.fileName))
      .header('content-length', String(content.length))
      .header('x-content-sha256', info.sha256)
      .header('x-content-type-options', 'nosniff')
      .header('etag', `"${info.sha256}"`)
      // Published: the same id always has the same bytes and stays public. Before: only for the one who asked.
      .header('cache-control', published ? 'public, max-age=86400' : 'private, no-store')
      .send(content);
  }
}
