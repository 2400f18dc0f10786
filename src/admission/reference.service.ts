import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { NegativeListItem, StatutoryArea } from './reference.entities.js';

/** The reference lists every admission is checked against: the statutory areas and the negative list in force. */
@Injectable()
export class ReferenceService {
  constructor(private readonly dataSource: DataSource) {}

  /** The sixteen areas in which a committee assists government (中办发〔2010〕27号), by code. */
  async statutoryAreas(q: PageQuery = {}): Promise<Page<StatutoryArea>> {
    const page = pageRequest(q);
    const [rows, total] = await this.dataSource
      .getRepository(StatutoryArea)
      .findAndCount({ order: { code: 'ASC' }, skip: page.offset, take: page.pageSize });
    return toPage(rows, total, page);
  }

  /** The negative list's entries in force (负面清单), by code. */
  async negativeList(q: PageQuery = {}): Promise<Page<NegativeListItem>> {
    const page = pageRequest(q);
    const [rows, total] = await this.dataSource.getRepository(NegativeListItem).findAndCount({
      where: { active: true },
      order: { code: 'ASC' },
      skip: page.offset,
      take: page.pageSize,
    });
    return toPage(rows, total, page);
  }
}
