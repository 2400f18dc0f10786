import { dayStartCst } from '../../src/common/china-time.js';
import { Clock } from '../../src/common/clock.js';
import type { TestApp } from './app.js';

/**
 * Moves the application's clock forward to 10:00 (China time) of `day`, as if the days had passed; a clock
 * already there or later stays (time only goes forward). Answers the clock.
 */
export function moveClockTo(t: TestApp, day: string): Clock {
  const clock = t.app.get(Clock);
  const target = dayStartCst(day).getTime() + 10 * 3600_000;
  if (clock.nowMs() < target) clock.advance(target - clock.nowMs());
  return clock;
}
