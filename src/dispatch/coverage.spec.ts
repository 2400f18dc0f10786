import {
  computeCoverage,
  negativeListHits,
  workingDaysBetween,
  type CoverageFacts,
  type CoverageItem,
} from './coverage.js';

const DEPT = 'dept-1';
const ITEM: CoverageItem = {
  id: 'item-1',
  admissionNumber: '〔2027〕第1号',
  title: '社区慢病随访',
  departmentId: DEPT,
  kind: 'task',
  authorizedContent: '随访、登记',
  targetPopulation: '慢病患者',
  startDate: '2027-06-01',
  endDate: '2027-12-31',
};

/** A task under an item in force, sent on Monday 2027-06-07, due Friday 2027-06-18: covered. */
function facts(over: Partial<CoverageFacts> = {}, work: Partial<CoverageFacts['work']> = {}): CoverageFacts {
  return {
    work: {
      kind: 'task',
      title: '六月慢病随访',
      content: '请随访辖区慢病患者并登记。',
      departmentId: DEPT,
      sentDay: '2027-06-07',
      dueDate: '2027-06-18',
      ...work,
    },
    item: ITEM,
    inForce: true,
    itemCommunity: { fundingStatus: 'confirmed', enteredDay: '2027-05-20', exitedDay: null },
    calendar: new Map(),
    sharedReportFields: [],
    stamp: null,
    negativeHits: [],
    ...over,
  };
}

const codes = (f: CoverageFacts) => computeCoverage(f).reasons.map((r) => r.code);

describe('coverage of a piece of work for one community', () => {
  it('given an item of the department, in force, of the kind, inside its content, with notice, then it is covered citing the item', () => {
    const c = computeCoverage(facts());
    expect(c).toMatchObject({ covered: true, reasonCode: 'covered' });
    expect(c.reasons[0].rule).toContain('〔2027〕第1号');
  });

  it('given no item cited, then no-admitted-item citing seed 002 §4; with one, not', () => {
    const c = computeCoverage(facts({ item: null, inForce: false, itemCommunity: null }));
    expect(c.reasonCode).toBe('no-admitted-item');
    expect(c.reasons[0].rule).toContain('第4条');
    expect(codes(facts())).not.toContain('no-admitted-item');
  });

  it('given another department’s item, then other-department-item; its own, not', () => {
    expect(codes(facts({ item: { ...ITEM, departmentId: 'dept-2' } }))).toEqual(['other-department-item']);
    expect(codes(facts())).toEqual(['covered']);
  });

  it('given the item not in force on the due date, then not-in-force with the reason: not started, expired, exited, lapsed, not funded, not targeted', () => {
    const reason = (over: Partial<CoverageFacts>, work: Partial<CoverageFacts['work']> = {}) => {
      const c = computeCoverage(facts({ inForce: false, ...over }, work));
      expect(c.reasonCode).toBe('not-in-force');
      return c.reasons[0].detail;
    };
    expect(reason({}, { sentDay: '2027-05-10', dueDate: '2027-05-28' })).toBe('not-started');
    expect(reason({}, { sentDay: '2028-01-03', dueDate: '2028-01-14' })).toBe('expired');
    expect(
      reason({
        itemCommunity: { fundingStatus: 'confirmed', enteredDay: '2027-05-20', exitedDay: '2027-06-10' },
      }),
    ).toBe('exited');
    expect(reason({ itemCommunity: { fundingStatus: 'lapsed', enteredDay: null, exitedDay: null } })).toBe(
      'lapsed',
    );
    expect(reason({ itemCommunity: { fundingStatus: 'awaiting', enteredDay: null, exitedDay: null } })).toBe(
      'not-funded',
    );
    expect(reason({ itemCommunity: null })).toBe('not-targeted');
    expect(codes(facts({ inForce: true }))).not.toContain('not-in-force');
  });

  it('given work of another kind than the item, then wrong-kind; a survey under a report item is the right kind', () => {
    expect(codes(facts({}, { kind: 'meeting' }))).toEqual(['wrong-kind']);
    expect(codes(facts({ item: { ...ITEM, kind: 'report' } }, { kind: 'survey' }))).toEqual(['covered']);
  });

  it('given work outside the authorized content or the target population, then outside-content; inside, covered', () => {
    const c = computeCoverage(facts({}, { title: '招募志愿者', content: '组织志愿者清扫楼道。' }));
    expect(c.reasons.map((r) => [r.code, r.detail])).toEqual([['outside-content', 'content']]);
    expect(
      computeCoverage(facts({}, { targetPopulation: '全体居民' })).reasons.map((r) => [r.code, r.detail]),
    ).toEqual([['outside-content', 'population']]);
    expect(codes(facts({}, { targetPopulation: '辖区慢病患者' }))).toEqual(['covered']);
  });

  it('given less than the notice period in working days, then short-notice (上午发下午要); three working days, covered', () => {
    // Sent Monday 2027-06-07, due Wednesday 06-09: two working days.
    expect(codes(facts({}, { dueDate: '2027-06-09' }))).toEqual(['short-notice']);
    expect(codes(facts({}, { dueDate: '2027-06-07' }))).toEqual(['short-notice']);
    expect(codes(facts({}, { dueDate: '2027-06-10' }))).toEqual(['covered']);
    // Sent Friday, due the next Tuesday: Monday and Tuesday only.
    expect(codes(facts({}, { sentDay: '2027-06-11', dueDate: '2027-06-15' }))).toEqual(['short-notice']);
    // A holiday in the calendar does not count; a 调休 Saturday does.
    const holiday = new Map([['2027-06-08', false]]);
    expect(codes(facts({ calendar: holiday }, { dueDate: '2027-06-10' }))).toEqual(['short-notice']);
    const makeUp = new Map([['2027-06-12', true]]);
    expect(codes(facts({ calendar: makeUp }, { sentDay: '2027-06-11', dueDate: '2027-06-15' }))).toEqual([
      'covered',
    ]);
    // The item's own notice period.
    expect(codes(facts({ item: { ...ITEM, noticeWorkingDays: 5 } }, { dueDate: '2027-06-10' }))).toEqual([
      'short-notice',
    ]);
  });

  it('given a report field the community already reports elsewhere, then duplicate-report-field; none shared, covered', () => {
    const c = computeCoverage(
      facts(
        {
          item: { ...ITEM, kind: 'report' },
          sharedReportFields: [{ source: '〔2027〕第2号', fields: ['血压'] }],
        },
        { kind: 'report' },
      ),
    );
    expect(c.reasonCode).toBe('duplicate-report-field');
    expect(c.reasons[0].message).toContain('血压');
    expect(c.reasons[0].rule).toContain('数据一次采集');
    expect(
      codes(facts({ item: { ...ITEM, kind: 'report' }, sharedReportFields: [] }, { kind: 'report' })),
    ).toEqual(['covered']);
  });

  it('given a stamp demand, then the registry decides: prohibited and not listed flag it, allowed covers it even without an item', () => {
    const stamp = (decision: 'allowed' | 'prohibited' | 'not-listed') =>
      facts(
        {
          item: null,
          inForce: false,
          itemCommunity: null,
          stamp: { decision, citation: '民发〔2020〕20号 第3项' },
        },
        { kind: 'stamp' },
      );
    expect(codes(stamp('prohibited'))).toEqual(['stamp-prohibited', 'no-admitted-item']);
    expect(computeCoverage(stamp('prohibited')).reasons[0].rule).toBe('民发〔2020〕20号 第3项');
    expect(codes(stamp('not-listed'))).toEqual(['no-admitted-item', 'stamp-not-listed']);
    const allowed = computeCoverage(stamp('allowed'));
    expect(allowed).toMatchObject({ covered: true, reasonCode: 'covered' });
    expect(allowed.reasons[0].rule).toBe('民发〔2020〕20号 第3项');
  });

  it('given a negative-list hit, then it is the headline before every other reason; no hit, covered', () => {
    const c = computeCoverage(
      facts({
        item: null,
        negativeHits: [
          { code: 'investment_promotion', nameZh: '招商引资任务指标', source: '民发〔2015〕136号 §一' },
        ],
      }),
    );
    expect(c.reasons.map((r) => r.code)).toEqual(['negative-list', 'no-admitted-item']);
    expect(c.reasons[0].rule).toContain('民发〔2015〕136号');
    expect(codes(facts({ negativeHits: [] }))).toEqual(['covered']);
  });
});

describe('the negative list against a piece of work', () => {
  const LIST = [
    {
      code: 'investment_promotion',
      nameZh: '招商引资任务指标',
      appliesTo: 'any kind',
      keywords: ['招商引资'],
      source: 'A',
    },
    { code: 'law_enforcement', nameZh: '执法', appliesTo: 'task', keywords: ['执法主体'], source: 'B' },
    {
      code: 'app_check_in',
      nameZh: '在线时长',
      appliesTo: 'app',
      keywords: ['在线时长'],
      source: '国办函〔2026〕12号',
    },
  ];
  it('given keywords of an entry for any kind or the work’s kind, then it hits; another kind’s entry does not', () => {
    expect(
      negativeListHits(LIST, { kind: 'meeting', title: '招商引资推进会', content: '' }).map((h) => h.code),
    ).toEqual(['investment_promotion']);
    expect(
      negativeListHits(LIST, { kind: 'task', title: '由社区作为执法主体', content: '' }).map((h) => h.code),
    ).toEqual(['law_enforcement']);
    expect(negativeListHits(LIST, { kind: 'meeting', title: '由社区作为执法主体', content: '' })).toEqual([]);
  });
  it('given an app demand that scores online time, then 国办函〔2026〕12号 bars it whatever its words; one that does not, not', () => {
    const hits = negativeListHits(LIST, {
      kind: 'app-registration',
      title: '注册健康App',
      content: '请注册。',
      scoresOnlineTime: true,
    });
    expect(hits).toEqual([{ code: 'app_check_in', nameZh: '在线时长', source: '国办函〔2026〕12号' }]);
    expect(
      negativeListHits(LIST, {
        kind: 'app-registration',
        title: '注册健康App',
        content: '请注册。',
        scoresOnlineTime: false,
      }),
    ).toEqual([]);
  });
});

describe('working days between sending and the due date', () => {
  it('counts the days after the day of sending, up to the due date, that are working days', () => {
    expect(workingDaysBetween('2027-06-07', '2027-06-18', new Map(), 99)).toBe(9);
    expect(workingDaysBetween('2027-06-07', '2027-06-07', new Map(), 99)).toBe(0);
  });
});
