import { ParseUUIDPipe } from '@nestjs/common';
import { AppError, type ErrorCode } from './errors.js';

/** A path id that must be a UUID; anything else answers like a missing object (404 with the given code). */
export const uuidOr404 = (code: ErrorCode) =>
  new ParseUUIDPipe({ exceptionFactory: () => new AppError(code) });
