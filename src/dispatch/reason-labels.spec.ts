import { REASON_NAMES } from '../../console/src/pages/dispatch/names.js';
import { REASON_CODES, REASON_LABELS } from './coverage.js';

/**
 * The reasons' words are said twice: by the service (the refusal it records cites them) and by the console (its
 * pages name them). A clerk must read the same words in both.
 */
describe('the words of a coverage reason', () => {
  it('given each reason code, then the console names it as the service does', () => {
    expect(REASON_NAMES).toEqual(REASON_LABELS);
    for (const code of REASON_CODES) expect(REASON_NAMES[code]).toBeTruthy();
  });
});
