import { Clock } from '../src/common/clock.js';
import { StampRegistryService } from '../src/stamps/stamp-registry.service.js';

/** Review of the public check's kept day (StampRegistryService.today): it turns at midnight China time. */
class FixedClock extends Clock {
  at = 0;
  override now(): Date {
    return new Date(this.at);
  }
  override nowMs(): number {
    return this.at;
  }
}

describe('the day the public check answers for (China time)', () => {
  it('given the clock crossing midnight in China (16:00 UTC) and moving back, then today follows it', () => {
    const clock = new FixedClock();
    const service = new (StampRegistryService as unknown as new (...args: unknown[]) => object)(
      undefined,
      clock,
    ) as unknown as { today(): string };
    const at = (iso: string) => {
      clock.at = Date.parse(iso);
      return service.today();
    };
    expect(at('2026-12-31T15:59:59.999Z')).toBe('2026-12-31');
    expect(at('2026-12-31T16:00:00.000Z')).toBe('2027-01-01');
    expect(at('2027-01-01T15:59:59.999Z')).toBe('2027-01-01');
    expect(at('2026-12-31T15:00:00.000Z')).toBe('2026-12-31');
    expect(at('2027-01-01T16:00:00.000Z')).toBe('2027-01-02');
  });
});
