import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Whether what the service needs answers: today its database. */
@Injectable()
export class HealthService {
  constructor(private readonly dataSource: DataSource) {}

  /** True when the database answers a trivial query; false (never an exception) when it does not. */
  async databaseUp(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
}
