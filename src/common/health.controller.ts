import { Controller, Get } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators.js';
import { AppError } from './errors.js';
import { HealthService } from './health.service.js';

class HealthDto {
  @ApiProperty({ example: 'ok' }) status: string;
  @ApiProperty({ example: 'up' }) database: string;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly healthOf: HealthService) {}

  @Get()
  @Public('200 when the service and its database work; 503 DATABASE_UNAVAILABLE otherwise', [
    'DATABASE_UNAVAILABLE',
  ])
  async health(): Promise<HealthDto> {
    if (!(await this.healthOf.databaseUp())) throw new AppError('DATABASE_UNAVAILABLE');
    return { status: 'ok', database: 'up' };
  }
}
