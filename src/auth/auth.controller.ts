import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../common/actor.js';
import { AuthService } from './auth.service.js';
import { Public, Requires } from './decorators.js';
import { LoginDto, LoginResponseDto, MeDto } from './dto/login.dto.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @Public('Log in with username and password; answers a short-lived bearer token', [
    'LOGIN_FAILED',
    'ACCOUNT_LOCKED',
    'ACCOUNT_DISABLED',
  ])
  @ApiOkResponse({ type: LoginResponseDto })
  login(@Body() body: LoginDto, @CurrentActor() actor: Actor): Promise<LoginResponseDto> {
    return this.auth.login(body.username, body.password, actor);
  }

  @Post('logout')
  @HttpCode(204)
  @Requires('Log out: the token is revoked at once', [])
  logout(@CurrentActor() actor: Actor): Promise<void> {
    return this.auth.logout(actor);
  }

  @Get('me')
  @Requires('Who am I: user, unit, roles and permissions', [])
  @ApiOkResponse({ type: MeDto })
  me(@CurrentActor() actor: Actor): Promise<MeDto> {
    return this.auth.me(actor.principal!);
  }
}
