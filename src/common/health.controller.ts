import { Controller, Get } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../auth/decorators.js';
import { AppError } from './errors.js';

class HealthDto {
  @ApiProperty({ example: 'ok' }) status: string;
  @ApiProperty({ example: 'up' }) database: string;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @Public('200 when the service and its database work; 503 DATABASE_UNAVAILABLE otherwise', [
    'DATABASE_UNAVAILABLE',
  ])
  async health(): Promise<HealthDto> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new AppError('DATABASE_UNAVAILABLE');
    }
    return { status: 'ok', database: 'up' };
  }
}
