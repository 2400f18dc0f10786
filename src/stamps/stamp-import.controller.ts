import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { CurrentActor, type Actor } from '../common/actor.js';
import { uuidOr404 } from '../common/id-param.js';
import { ApiPage, mapPage, PageQuery, type Page } from '../common/pagination.js';
import {
  StampImportDto,
  StampImportRowDto,
  StampImportRowsQuery,
  documentValues,
  StartStampImportDto,
  toStampImportDto,
  toStampImportRowDto,
} from './dto/stamp-import.dto.js';
import { StampImportsService } from './stamp-import.service.js';

const id404 = uuidOr404('STAMP_IMPORT_NOT_FOUND');

/** Stamp-list imports (issue 13 §5): the dry run, its report, and the proposal of its good rows. */
@ApiTags('stamp registry')
@Controller('stamp-imports')
export class StampImportsController {
  constructor(private readonly imports: StampImportsService) {}

  @Post()
  @Requires(
    'Dry run of a stamp-list import (CSV or XLSX, base64): every row checked and compared with the registry — added, changed (which fields), unchanged or rejected with the reason — and the report stored; the registry does not change. Rows of lists outside the office’s scope are rejected (a district office: its district; the city office: its city, and national and provincial lists citing their document).',
    [Permission.REGISTRY_MANAGE],
    [
      'STAMP_IMPORT_TOO_LARGE',
      'STAMP_IMPORT_TOO_COMPLEX',
      'STAMP_IMPORT_TYPE_NOT_ALLOWED',
      'STAMP_IMPORT_FILE_INVALID',
      'STAMP_IMPORT_BUSY',
      'PAYLOAD_TOO_LARGE',
    ],
  )
  @ApiCreatedResponse({ type: StampImportDto })
  async dryRun(@Body() dto: StartStampImportDto, @CurrentActor() a: Actor): Promise<StampImportDto> {
    return toStampImportDto(
      await this.imports.dryRun(a, dto.fileName, dto.contentBase64, documentValues(dto.document)),
    );
  }

  @Get()
  @Requires('The imports of the caller’s office, newest first, each with its counts and proposal', [
    Permission.REGISTRY_MANAGE,
  ])
  @ApiPage(StampImportDto)
  async list(@Query() q: PageQuery, @CurrentActor() a: Actor): Promise<Page<StampImportDto>> {
    return mapPage(await this.imports.list(a.principal!, q), toStampImportDto);
  }

  @Get(':id')
  @Requires(
    'One import’s report: its counts, the lists its rows name, and its proposal',
    [Permission.REGISTRY_MANAGE],
    ['STAMP_IMPORT_NOT_FOUND'],
  )
  @ApiOkResponse({ type: StampImportDto })
  async get(@Param('id', id404) id: string, @CurrentActor() a: Actor): Promise<StampImportDto> {
    return toStampImportDto(await this.imports.get(a.principal!, id));
  }

  @Get(':id/rows')
  @Requires(
    'An import’s rows in file order, each with its outcome, changed fields and reasons',
    [Permission.REGISTRY_MANAGE],
    ['STAMP_IMPORT_NOT_FOUND'],
  )
  @ApiPage(StampImportRowDto)
  async rows(
    @Param('id', id404) id: string,
    @Query() q: StampImportRowsQuery,
    @CurrentActor() a: Actor,
  ): Promise<Page<StampImportRowDto>> {
    return mapPage(await this.imports.rows(a.principal!, id, q), toStampImportRowDto);
  }

  @Post(':id/proposal')
  @HttpCode(200)
  @Requires(
    'Propose the import’s good rows (added and changed) as one change to the registry, for the principal leader’s approval; once per import',
    [Permission.REGISTRY_MANAGE],
    [
      'STAMP_IMPORT_NOT_FOUND',
      'STAMP_IMPORT_ALREADY_PROPOSED',
      'STAMP_IMPORT_NOTHING_TO_PROPOSE',
      'STAMP_IMPORT_STALE',
      'STAMP_IMPORT_SEVERAL_SCOPES',
      'STAMP_PROPOSAL_OUT_OF_SCOPE',
    ],
  )
  @ApiOkResponse({ type: StampImportDto })
  async propose(@Param('id', id404) id: string, @CurrentActor() a: Actor): Promise<StampImportDto> {
    return toStampImportDto(await this.imports.propose(a, id));
  }
}
