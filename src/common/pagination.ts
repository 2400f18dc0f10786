import { applyDecorators, type Type as ClassType } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  getSchemaPath,
} from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/**
 * One page of a list: `page` counts from 1, `pageSize` from 1 to 200 (default 50). Every list route takes these
 * (extend this class with the route's own filters) and answers a `Page` with the total, so nothing is cut
 * silently: a client pages on until `page * pageSize >= total`.
 */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, default: 1, description: 'Page number, from 1' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    description: 'Rows per page',
  })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize?: number;
}

/** The page asked for, with defaults filled in, and its SQL offset. */
export interface PageRequest {
  page: number;
  pageSize: number;
  offset: number;
}

export function pageRequest(q: PageQuery = {}): PageRequest {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? DEFAULT_PAGE_SIZE;
  return { page, pageSize, offset: (page - 1) * pageSize };
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export function toPage<T>(items: T[], total: number, req: PageRequest): Page<T> {
  return { items, total, page: req.page, pageSize: req.pageSize };
}

/** The OpenAPI shape shared by every page; `ApiPage(Item)` adds the item type. */
export class PageMetaDto {
  @ApiProperty({ description: 'Rows matching the filters, over all pages' }) total: number;
  @ApiProperty({ description: 'This page, from 1' }) page: number;
  @ApiProperty({ description: 'Rows per page asked for' }) pageSize: number;
}

/** Documents a route answering `Page<item>` (200) in the OpenAPI. */
export function ApiPage(item: ClassType<unknown>, description = 'One page of the list, with the total') {
  return applyDecorators(
    ApiExtraModels(PageMetaDto, item),
    ApiOkResponse({
      description,
      schema: {
        allOf: [
          { $ref: getSchemaPath(PageMetaDto) },
          {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: { $ref: getSchemaPath(item) } } },
          },
        ],
      },
    }),
  );
}

/** The same page with each item mapped (an entity page to its response DTOs). */
export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { ...page, items: page.items.map(map) };
}
