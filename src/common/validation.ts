import { type ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError } from './errors.js';

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
