import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public, Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { CurrentActor, type Actor } from '../common/actor.js';
import { uuidOr404 } from '../common/id-param.js';
import { ApplicationsService } from './applications.service.js';
import { ApplicationFieldsDto, SubmitApplicationDto, UpdateApplicationDto } from './dto/application.dto.js';
import { NegativeListItem, StatutoryArea } from './reference.entities.js';

const id404 = uuidOr404('APPLICATION_NOT_FOUND');

@ApiTags('admission')
@Controller()
export class ApplicationsController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly dataSource: DataSource,
  ) {}

  @Post('applications')
  @Requires('Save a new draft application (准入审批表) of my department; may be incomplete', [
    Permission.APPLICATION_DRAFT,
  ])
  create(@Body() dto: ApplicationFieldsDto, @CurrentActor() a: Actor) {
    return this.applications.create(a, dto);
  }

  @Patch('applications/:id')
  @Requires(
    'Change a draft, or a returned application being corrected',
    [Permission.APPLICATION_DRAFT],
    ['APPLICATION_NOT_FOUND', 'APPLICATION_NOT_EDITABLE', 'CONCURRENT_UPDATE'],
  )
  update(@Param('id', id404) id: string, @Body() dto: UpdateApplicationDto, @CurrentActor() a: Actor) {
    return this.applications.update(a, id, dto);
  }

  @Post('applications/:id/submit')
  @HttpCode(200)
  @Requires(
    'Submit (or resubmit after a return): every problem is listed at once',
    [Permission.APPLICATION_DRAFT],
    ['APPLICATION_NOT_FOUND', 'APPLICATION_INCOMPLETE', 'APPLICATION_NOT_SUBMITTABLE', 'CONCURRENT_UPDATE'],
  )
  submit(@Param('id', id404) id: string, @Body() dto: SubmitApplicationDto, @CurrentActor() a: Actor) {
    return this.applications.submit(a, id, dto.comment);
  }

  @Get('applications')
  @Requires('My department’s applications; for reviewers, those submitted in their area', [])
  list(@CurrentActor() a: Actor) {
    return this.applications.list(a.principal!);
  }

  @Get('applications/:id')
  @Requires(
    'One application with the automatic checks’ findings and what changed since the last submission',
    [],
    ['APPLICATION_NOT_FOUND'],
  )
  get(@Param('id', id404) id: string, @CurrentActor() a: Actor) {
    return this.applications.get(a.principal!, id);
  }

  @Get('admission/statutory-areas')
  @Public('The sixteen areas in which a committee assists government (中办发〔2010〕27号)')
  areas() {
    return this.dataSource.getRepository(StatutoryArea).find({ order: { code: 'ASC' } });
  }

  @Get('admission/negative-list')
  @Public('Work that must not be pushed onto committees (负面清单), with sources')
  negativeList() {
    return this.dataSource
      .getRepository(NegativeListItem)
      .find({ where: { active: true }, order: { code: 'ASC' } });
  }
}
