import { Injectable } from '@nestjs/common';
import { cstDay } from './china-time.js';

/**
 * What time it is, for all domain code (no `new Date()` outside this class). Production leaves it alone; tests
 * move it forward instead of sleeping or rewriting rows. Days are calendar days in China Standard Time
 * (Asia/Shanghai, no daylight saving); working days come from `china-time.ts` with the work calendar.
 */
@Injectable()
export class Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  /** Milliseconds since the epoch, moved like `now()`. */
  nowMs(): number {
    return Date.now() + this.offsetMs;
  }
  /** Today's date in China (YYYY-MM-DD). */
  today(): string {
    return cstDay(this.now());
  }
  /** Test helper: pretend this much time has passed. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
