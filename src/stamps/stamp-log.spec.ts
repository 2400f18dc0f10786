import { PHONE_PATTERN } from './dto/stamp-log.dto.js';
import { maskPhone } from './stamp-log-rows.js';

describe('the stamp log’s phone rules', () => {
  it.each([
    ['13812341234', '138****1234'],
    ['0571-87654321', '057******4321'],
    ['010-12345678-123', '010*********-123'],
    ['1234567', '*******'],
  ])('given %s, then it is masked as %s (first three and last four kept)', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
    expect(maskPhone(phone)).toHaveLength(phone.length);
  });

  it.each([
    '13812341234',
    '19912345678',
    '0571-87654321',
    '057187654321',
    '010-1234567',
    '0571-87654321-8001',
  ])('given %s, then it is a phone a requester may give', (phone) =>
    expect(PHONE_PATTERN.test(phone)).toBe(true),
  );

  it.each(['12812341234', '1381234123', '138123412345', '87654321', '0571-876', 'abc', '13812341234x'])(
    'given %s, then it is refused',
    (phone) => expect(PHONE_PATTERN.test(phone)).toBe(false),
  );
});
