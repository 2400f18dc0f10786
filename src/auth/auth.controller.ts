import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../common/actor.js';
import { AuthService } from './auth.service.js';
import { Public, Requires } from './decorators.js';
import { ChangePasswordDto, LoginDto, LoginResponseDto, MeDto } from './dto/login.dto.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @Public(
    'Log in with username and password; answers a short-lived bearer token. An unknown name, a wrong password and a locked account answer alike (LOGIN_FAILED); too many failures from one address answer 429 with Retry-After',
    ['LOGIN_FAILED', 'LOGIN_THROTTLED', 'ACCOUNT_DISABLED'],
  )
  @ApiOkResponse({ type: LoginResponseDto })
  login(@Body() body: LoginDto, @CurrentActor() actor: Actor, @Ip() ip: string): Promise<LoginResponseDto> {
    return this.auth.login(body.username, body.password, actor, ip ?? 'unknown');
  }

  @Post('logout')
  @HttpCode(204)
  @Requires('Log out: the token is revoked at once', [])
  logout(@CurrentActor() actor: Actor): Promise<void> {
    return this.auth.logout(actor);
  }

  @Post('password')
  @HttpCode(204)
  @Requires(
    'Change my own password (the current one is asked for); my other sessions end. Until its holder has done so, an account whose password someone else set cannot be given an admin role (三员分立)',
    [],
    ['PASSWORD_WRONG'],
  )
  changePassword(@Body() body: ChangePasswordDto, @CurrentActor() actor: Actor): Promise<void> {
    return this.auth.changePassword(actor, body.currentPassword, body.newPassword);
  }

  @Get('me')
  @Requires('Who am I: user, unit, roles and permissions', [])
  @ApiOkResponse({ type: MeDto })
  me(@CurrentActor() actor: Actor): Promise<MeDto> {
    return this.auth.me(actor.principal!);
  }
}
