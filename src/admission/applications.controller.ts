import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public, Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { CurrentActor, type Actor } from '../common/actor.js';
import { uuidOr404 } from '../common/id-param.js';
import { ApiPage, mapPage, PageQuery, type Page } from '../common/pagination.js';
import { ApplicationsService } from './applications.service.js';
import { ApplicationFormService } from './application-form.service.js';
import { AttachmentsService } from './attachments.service.js';
import { ATTACHMENT_TYPES, UploadAttachmentDto } from './dto/attachment.dto.js';
import { OverrideFindingDto } from './dto/finding.dto.js';
import { AdmissionFindings } from './findings.service.js';
import { NegativeListChangeDto } from './dto/negative-list.dto.js';
import { NegativeListService } from './negative-list.service.js';
import {
  ApplicationFieldsDto,
  SubmitApplicationDto,
  UpdateApplicationDto,
  WithdrawApplicationDto,
} from './dto/application.dto.js';
import { ApplicationWithdrawal } from './application-withdrawal.service.js';
import { ReferenceService } from './reference.service.js';
import { RegisterReads } from './register-reads.service.js';
import {
  ApplicationDto,
  ApplicationListItemDto,
  AttachmentDto,
  toApplicationDto,
  toApplicationListItemDto,
  toAttachmentDto,
} from './dto/application-responses.dto.js';
import {
  NegativeListChangeInfoDto,
  NegativeListItemDto,
  StatutoryAreaDto,
  toNegativeListChangeInfoDto,
  toNegativeListItemDto,
  toStatutoryAreaDto,
} from './dto/reference-responses.dto.js';

const id404 = uuidOr404('APPLICATION_NOT_FOUND');

@ApiTags('admission')
@Controller()
export class ApplicationsController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly attachments: AttachmentsService,
    private readonly negativeListChanges: NegativeListService,
    private readonly reference: ReferenceService,
    private readonly forms: ApplicationFormService,
    private readonly reads: RegisterReads,
    private readonly findings: AdmissionFindings,
    private readonly withdrawals: ApplicationWithdrawal,
  ) {}

  @Post('admission/negative-list/changes')
  @Requires('Propose adding, changing or retiring a negative-list entry; the principal leader approves', [
    Permission.REGISTRY_MANAGE,
  ])
  @ApiCreatedResponse({ type: NegativeListChangeInfoDto })
  async proposeChange(
    @Body() dto: NegativeListChangeDto,
    @CurrentActor() a: Actor,
  ): Promise<NegativeListChangeInfoDto> {
    return toNegativeListChangeInfoDto(await this.negativeListChanges.propose(a, dto));
  }

  @Get('admission/negative-list/changes')
  @Requires('Proposed and decided negative-list changes, newest first', [Permission.REGISTRY_MANAGE])
  @ApiPage(NegativeListChangeInfoDto)
  async changes(@Query() q: PageQuery): Promise<Page<NegativeListChangeInfoDto>> {
    return mapPage(await this.negativeListChanges.list(q), toNegativeListChangeInfoDto);
  }

  @Post('applications/:id/attachments')
  @Requires(
    'Attach a file (PDF, JPEG, PNG, docx, xlsx; base64) to a draft or returned application',
    [Permission.APPLICATION_DRAFT],
    [
      'APPLICATION_NOT_FOUND',
      'APPLICATION_NOT_EDITABLE',
      'ATTACHMENT_TOO_LARGE',
      'ATTACHMENT_TYPE_NOT_ALLOWED',
    ],
  )
  @ApiCreatedResponse({ type: AttachmentDto })
  async attach(
    @Param('id', id404) id: string,
    @Body() dto: UploadAttachmentDto,
    @CurrentActor() a: Actor,
  ): Promise<AttachmentDto> {
    return toAttachmentDto(await this.attachments.upload(a, id, dto));
  }

  @Get('applications/:id/attachments')
  @Requires('The attachments of an application (name, type, size, SHA-256)', [], ['APPLICATION_NOT_FOUND'])
  @ApiPage(AttachmentDto)
  async listAttachments(
    @Param('id', id404) id: string,
    @Query() q: PageQuery,
    @CurrentActor() a: Actor,
  ): Promise<Page<AttachmentDto>> {
    return mapPage(await this.attachments.list(a.principal!, id, q), toAttachmentDto);
  }

  @Get('applications/:id/attachments/:attachmentId')
  @Requires(
    'Download one attachment (its SHA-256 in the x-content-sha256 header)',
    [],
    ['APPLICATION_NOT_FOUND', 'ATTACHMENT_NOT_FOUND'],
  )
  @ApiProduces(...ATTACHMENT_TYPES)
  @ApiOkResponse({ description: 'The file as uploaded', schema: { type: 'string', format: 'binary' } })
  async download(
    @Param('id', id404) id: string,
    @Param('attachmentId', uuidOr404('ATTACHMENT_NOT_FOUND')) attachmentId: string,
    @CurrentActor() a: Actor,
    @Res() reply: FastifyReply,
  ) {
    const { info, content } = await this.attachments.download(a.principal!, id, attachmentId);
    await reply
      .header('content-type', info.contentType)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(info.fileName)}`)
      .header('x-content-sha256', info.sha256)
      .send(content);
  }

  @Delete('applications/:id/attachments/:attachmentId')
  @Requires(
    'Remove an attachment from a draft or returned application of my department (audited with its name and SHA-256); answers what was removed',
    [Permission.APPLICATION_DRAFT],
    ['APPLICATION_NOT_FOUND', 'ATTACHMENT_NOT_FOUND', 'APPLICATION_NOT_EDITABLE'],
  )
  @ApiOkResponse({ type: AttachmentDto, description: 'The attachment that was removed' })
  async removeAttachment(
    @Param('id', id404) id: string,
    @Param('attachmentId', uuidOr404('ATTACHMENT_NOT_FOUND')) attachmentId: string,
    @CurrentActor() a: Actor,
  ): Promise<AttachmentDto> {
    return toAttachmentDto(await this.attachments.remove(a, id, attachmentId));
  }

  @Post('applications/:id/withdraw')
  @HttpCode(200)
  @Requires(
    'Withdraw (撤回) my department’s application before a decision — under review or returned for correction — with a reason; its case ends and it becomes withdrawn',
    [Permission.APPLICATION_DRAFT],
    [
      'APPLICATION_NOT_FOUND',
      'APPLICATION_NOT_WITHDRAWABLE',
      'APPLICATION_DECISION_PENDING',
      'INSTANCE_NOT_ACTIVE',
      'CONCURRENT_UPDATE',
    ],
  )
  @ApiOkResponse({ type: ApplicationDto })
  async withdraw(
    @Param('id', id404) id: string,
    @Body() dto: WithdrawApplicationDto,
    @CurrentActor() a: Actor,
  ): Promise<ApplicationDto> {
    return toApplicationDto(await this.withdrawals.withdraw(a, id, dto.reason.trim()));
  }

  @Post('applications')
  @Requires('Save a new draft application (准入审批表) of my department; may be incomplete', [
    Permission.APPLICATION_DRAFT,
  ])
  @ApiCreatedResponse({ type: ApplicationDto })
  async create(@Body() dto: ApplicationFieldsDto, @CurrentActor() a: Actor): Promise<ApplicationDto> {
    return toApplicationDto(await this.applications.create(a, dto));
  }

  @Patch('applications/:id')
  @Requires(
    'Change a draft, or a returned application being corrected',
    [Permission.APPLICATION_DRAFT],
    ['APPLICATION_NOT_FOUND', 'APPLICATION_NOT_EDITABLE', 'CONCURRENT_UPDATE'],
  )
  @ApiOkResponse({ type: ApplicationDto })
  async update(
    @Param('id', id404) id: string,
    @Body() dto: UpdateApplicationDto,
    @CurrentActor() a: Actor,
  ): Promise<ApplicationDto> {
    return toApplicationDto(await this.applications.update(a, id, dto));
  }

  @Post('applications/:id/submit')
  @HttpCode(200)
  @Requires(
    'Submit (or resubmit after a return): every problem is listed at once',
    [Permission.APPLICATION_DRAFT],
    ['APPLICATION_NOT_FOUND', 'APPLICATION_INCOMPLETE', 'APPLICATION_NOT_SUBMITTABLE', 'CONCURRENT_UPDATE'],
  )
  @ApiOkResponse({ type: ApplicationDto })
  async submit(
    @Param('id', id404) id: string,
    @Body() dto: SubmitApplicationDto,
    @CurrentActor() a: Actor,
  ): Promise<ApplicationDto> {
    return toApplicationDto(await this.applications.submit(a, id, dto.comment));
  }

  @Get('applications')
  @Requires(
    'My department’s applications; for reviewers, those submitted in their area; last changed first. Each with its applicant unit’s name and where its case is now (its open steps and who holds them, for the cases the reader may see): a review queue needs no further request per row',
    [],
  )
  @ApiPage(ApplicationListItemDto)
  async list(@Query() q: PageQuery, @CurrentActor() a: Actor): Promise<Page<ApplicationListItemDto>> {
    const page = await this.applications.listWithProgress(a.principal!, q);
    const items = await this.reads.itemsOfApplications(page.items.map((x) => x.application.id));
    return mapPage(page, (x) => toApplicationListItemDto(x, items.get(x.application.id)));
  }

  @Get('applications/:id')
  @Requires(
    'One application with the automatic checks’ findings and what changed since the last submission',
    [],
    ['APPLICATION_NOT_FOUND'],
  )
  @ApiOkResponse({ type: ApplicationDto })
  async get(@Param('id', id404) id: string, @CurrentActor() a: Actor): Promise<ApplicationDto> {
    const app = await this.applications.get(a.principal!, id);
    return toApplicationDto(app, (await this.reads.itemsOfApplications([app.id])).get(app.id));
  }

  @Get('applications/:id/form.html')
  @Requires(
    'The printable 社区工作准入审批表 (A4 HTML): every field, the findings, and each review’s opinion, person and date',
    [],
    ['APPLICATION_NOT_FOUND'],
  )
  @ApiProduces('text/html')
  @ApiOkResponse({
    description: 'One self-contained HTML page (no script, no external resource), ready to print on A4',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  async form(@Param('id', id404) id: string, @CurrentActor() a: Actor, @Res() reply: FastifyReply) {
    const html = await this.forms.html(a.principal!, id);
    await reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .send(html);
  }

  @Post('applications/:id/findings/:code/override')
  @HttpCode(200)
  @Requires(
    'Override a failing finding of the automatic checks with a written reason, between the office’s scope review and the leader’s signature: the office of the level, or its principal leader (a negative-list hit: only the principal leader)',
    [],
    [
      'APPLICATION_NOT_FOUND',
      'FINDING_NOT_FOUND',
      'FINDING_NOT_FAILING',
      'FINDING_ALREADY_OVERRIDDEN',
      'FINDING_OVERRIDE_LEADER_ONLY',
      'FINDING_OVERRIDE_NOT_ALLOWED',
      'FINDING_OVERRIDE_NOT_NOW',
    ],
  )
  @ApiOkResponse({ type: ApplicationDto })
  async overrideFinding(
    @Param('id', id404) id: string,
    @Param('code') code: string,
    @Body() dto: OverrideFindingDto,
    @CurrentActor() a: Actor,
  ): Promise<ApplicationDto> {
    return toApplicationDto(await this.findings.override(a, id, code, dto.reason));
  }

  @Get('admission/statutory-areas')
  @Public('The sixteen areas in which a committee assists government (中办发〔2010〕27号)')
  @ApiPage(StatutoryAreaDto)
  async areas(@Query() q: PageQuery): Promise<Page<StatutoryAreaDto>> {
    return mapPage(await this.reference.statutoryAreas(q), toStatutoryAreaDto);
  }

  @Get('admission/negative-list')
  @Public('Work that must not be pushed onto committees (负面清单), with sources')
  @ApiPage(NegativeListItemDto)
  async negativeList(@Query() q: PageQuery): Promise<Page<NegativeListItemDto>> {
    return mapPage(await this.reference.negativeList(q), toNegativeListItemDto);
  }
}
