import { inForceSql } from './in-force.js';

describe('the in-force query (在施)', () => {
  it('given a day, then one day is both ends of the period, and only entered communities count', () => {
    const q = inForceSql({ on: '2027-03-01' });
    expect(q.params).toEqual(['2027-03-01', '2027-03-01']);
    expect(q.sql).toContain(`i.start_date <= $2::date AND i.end_date >= $1::date`);
    expect(q.sql).toContain(`c.entered_at IS NOT NULL AND c.funding_status <> 'lapsed'`);
    expect(q.sql).not.toContain(`'awaiting'`);
    expect(q.sql).toContain(`(c.exited_at AT TIME ZONE 'Asia/Shanghai')::date > $1::date`);
  });

  it('given a caller whose own parameters come first, then the filters are numbered after them, in order', () => {
    const q = inForceSql(
      {
        on: { from: '2027-06-01', to: '2027-12-31' },
        communityIds: ['c1'],
        itemIds: ['i1'],
        kind: 'task',
        statutoryArea: 'public_health',
        orAwaitingFunding: true,
      },
      3,
    );
    expect(q.params).toEqual(['2027-06-01', '2027-12-31', ['c1'], ['i1'], 'task', 'public_health']);
    expect(q.sql).toContain('c.community_id = ANY($5::uuid[])');
    expect(q.sql).toContain('i.id = ANY($6::uuid[])');
    expect(q.sql).toContain('i.kind = $7');
    expect(q.sql).toContain('i.statutory_area = $8');
    expect(q.sql).toContain(`OR c.funding_status = 'awaiting'`);
  });
});
