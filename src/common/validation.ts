import {
  type ArgumentMetadata,
  type PipeTransform,
  type ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDefined, ValidateIf } from 'class-validator';
import { AppError } from './errors.js';

/** The largest value of a PostgreSQL `integer` column (versions and other counters). */
export const INT32_MAX = 2_147_483_647;

/**
 * An optional field that may be left out but not sent as null (class-validator's IsOptional lets null through
 * to the database): null answers 400 naming the field.
 */
export function Optional(): PropertyDecorator {
  return (target, key) => {
    ValidateIf((_, value) => value !== undefined)(target, key);
    IsDefined({
      message: ({ property }) =>
        `${property} 不能为 null；不需要时请省略该字段。${property} may not be null; leave it out instead.`,
    })(target, key);
  };
}

/** An optional field for which null means the same as leaving it out (use with IsOptional). */
export const NullAsAbsent = () => Transform(({ value }) => (value === null ? undefined : value));

export interface FieldProblem {
  field: string;
  problems: string[];
}

/** Flattens class-validator's tree into one entry per field, so every problem is told at once (一次告知). */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      const problems = Object.entries(e.constraints).map(([rule, text]) =>
        rule === 'whitelistValidation'
          ? `${field} 不是可接受的字段，请删除。Unknown field "${field}"; remove it.`
          : text,
      );
      out.push({ field, problems });
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

export function makeValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new AppError('VALIDATION_FAILED', flattenValidationErrors(errors)),
  });
}

/** Where each NUL character (U+0000) sits in a value, as field paths: in a key or in a string anywhere. */
export function nulPaths(value: unknown, path: string, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulPaths(v, path ? `${path}.${i}` : String(i), out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const field = path ? `${path}.${k}` : k;
      if (k.includes('\u0000')) out.push(field);
      nulPaths(v, field, out);
    }
  }
  return out;
}

/**
 * Refuses a NUL character in any string a handler receives (body, query, path), naming each field:
 * PostgreSQL cannot store it in text or jsonb, and no clerk means to send it. Runs before validation.
 */
export class RejectNulPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const fields = nulPaths(value, metadata.data ?? '');
    if (fields.length === 0) return value;
    throw new AppError(
      'VALIDATION_FAILED',
      [...new Set(fields)].map((field) => ({
        field,
        problems: [
          `${field || metadata.type} 含有空字符（\\u0000），请删除。${field || metadata.type} contains a NUL character (\\u0000); remove it.`,
        ],
      })),
    );
  }
}

/** A real calendar day written YYYY-MM-DD between the years 1900 and 9999 (no 2027-02-30, no year 0). */
export function isCalendarDay(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}
