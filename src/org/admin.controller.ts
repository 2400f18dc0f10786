import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { uuidOr404 } from '../common/id-param.js';
import { ApiPage, type Page } from '../common/pagination.js';
import {
  CreateUnitDto,
  CreateUserDto,
  LeadingGroupDto,
  ListUsersQuery,
  ResetPasswordDto,
  SetLeadingGroupDto,
  SetRolesDto,
  UnitDto,
  UpdateUnitDto,
  UpdateUserDto,
  UserDto,
} from './dto/org.dto.js';
import { OrgService } from './org.service.js';
import { UsersService } from './users.service.js';

@ApiTags('administration')
@Controller('admin')
export class AdminController {
  constructor(
    private readonly org: OrgService,
    private readonly users: UsersService,
  ) {}

  @Post('units')
  @Requires(
    'Add a unit under a parent I manage',
    [Permission.UNIT_MANAGE],
    ['UNIT_NOT_FOUND', 'UNIT_PARENT_INVALID', 'UNIT_CODE_TAKEN'],
  )
  @ApiOkResponse({ type: UnitDto })
  createUnit(@Body() dto: CreateUnitDto, @CurrentActor() a: Actor): Promise<UnitDto> {
    return this.org.createUnit(a, dto);
  }

  @Patch('units/:id')
  @Requires(
    'Rename or (de)activate a unit',
    [Permission.UNIT_MANAGE],
    ['UNIT_NOT_FOUND', 'UNIT_HAS_CHILDREN', 'CONCURRENT_UPDATE'],
  )
  @ApiOkResponse({ type: UnitDto })
  updateUnit(
    @Param('id', uuidOr404('UNIT_NOT_FOUND')) id: string,
    @Body() dto: UpdateUnitDto,
    @CurrentActor() a: Actor,
  ): Promise<UnitDto> {
    return this.org.updateUnit(a, id, dto);
  }

  @Put('leading-groups/:id')
  @Requires(
    'Set a leading group’s principal leader and member units',
    [Permission.UNIT_MANAGE],
    ['LEADING_GROUP_NOT_FOUND'],
  )
  @ApiOkResponse({ type: LeadingGroupDto })
  setLeadingGroup(
    @Param('id', uuidOr404('LEADING_GROUP_NOT_FOUND')) id: string,
    @Body() dto: SetLeadingGroupDto,
    @CurrentActor() a: Actor,
  ): Promise<LeadingGroupDto> {
    return this.org.setLeadingGroup(a, id, dto);
  }

  @Get('users')
  @Requires('Users of the units I administer', [Permission.USER_READ])
  @ApiPage(UserDto)
  listUsers(@Query() q: ListUsersQuery, @CurrentActor() a: Actor): Promise<Page<UserDto>> {
    return this.users.list(a.principal!, q);
  }

  @Get('users/:id')
  @Requires('One user', [Permission.USER_READ], ['USER_NOT_FOUND'])
  @ApiOkResponse({ type: UserDto })
  getUser(@Param('id', uuidOr404('USER_NOT_FOUND')) id: string, @CurrentActor() a: Actor): Promise<UserDto> {
    return this.users.get(a.principal!, id);
  }

  @Post('users')
  @Requires(
    'Create an account (without roles: the security admin grants them)',
    [Permission.USER_MANAGE],
    ['UNIT_NOT_FOUND', 'USERNAME_TAKEN'],
  )
  @ApiOkResponse({ type: UserDto })
  createUser(@Body() dto: CreateUserDto, @CurrentActor() a: Actor): Promise<UserDto> {
    return this.users.create(a, dto);
  }

  @Patch('users/:id')
  @Requires(
    'Rename, move or (de)activate an account',
    [Permission.USER_MANAGE],
    ['USER_NOT_FOUND', 'UNIT_NOT_FOUND', 'CONCURRENT_UPDATE'],
  )
  @ApiOkResponse({ type: UserDto })
  updateUser(
    @Param('id', uuidOr404('USER_NOT_FOUND')) id: string,
    @Body() dto: UpdateUserDto,
    @CurrentActor() a: Actor,
  ): Promise<UserDto> {
    return this.users.update(a, id, dto);
  }

  @Put('users/:id/roles')
  @Requires(
    'Grant exactly these roles (三员分立 enforced)',
    [Permission.ROLE_ASSIGN],
    ['USER_NOT_FOUND', 'ROLE_CONFLICT', 'ADMIN_ACCOUNT_PROTECTED', 'CONCURRENT_UPDATE'],
  )
  @ApiOkResponse({ type: UserDto })
  setRoles(
    @Param('id', uuidOr404('USER_NOT_FOUND')) id: string,
    @Body() dto: SetRolesDto,
    @CurrentActor() a: Actor,
  ): Promise<UserDto> {
    return this.users.setRoles(a, id, dto);
  }

  @Post('users/:id/unlock')
  @HttpCode(200)
  @Requires('Unlock an account locked by wrong passwords', [Permission.ACCOUNT_UNLOCK], ['USER_NOT_FOUND'])
  @ApiOkResponse({ type: UserDto })
  unlock(@Param('id', uuidOr404('USER_NOT_FOUND')) id: string, @CurrentActor() a: Actor): Promise<UserDto> {
    return this.users.unlock(a, id);
  }

  @Post('users/:id/password')
  @HttpCode(204)
  @Requires(
    'Set a new password; the user’s sessions end (never of an admin account: 三员分立)',
    [Permission.ACCOUNT_UNLOCK],
    ['USER_NOT_FOUND', 'ADMIN_ACCOUNT_PROTECTED'],
  )
  resetPassword(
    @Param('id', uuidOr404('USER_NOT_FOUND')) id: string,
    @Body() dto: ResetPasswordDto,
    @CurrentActor() a: Actor,
  ): Promise<void> {
    return this.users.resetPassword(a, id, dto);
  }
}
