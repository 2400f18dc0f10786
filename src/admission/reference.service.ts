import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NegativeListItem, StatutoryArea } from './reference.entities.js';

/** The reference lists every admission is checked against: the statutory areas and the negative list in force. */
@Injectable()
export class ReferenceService {
  constructor(private readonly dataSource: DataSource) {}

  /** The sixteen areas in which a committee assists government (中办发〔2010〕27号), by code. */
  statutoryAreas(): Promise<StatutoryArea[]> {
    return this.dataSource.getRepository(StatutoryArea).find({ order: { code: 'ASC' } });
  }

  /** The negative list's entries in force (负面清单), by code. */
  negativeList(): Promise<NegativeListItem[]> {
    return this.dataSource
      .getRepository(NegativeListItem)
      .find({ where: { active: true }, order: { code: 'ASC' } });
  }
}
