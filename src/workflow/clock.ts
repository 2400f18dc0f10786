import { Injectable } from '@nestjs/common';

/** The runtime's notion of now. Tests move it forward; production leaves it alone. */
@Injectable()
export class Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  /** Test helper: pretend this much time has passed. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
