import type { DataSource, EntityManager, QueryRunner, TransactionCommitEvent } from 'typeorm';
import { AfterCommit } from './after-commit.js';

describe('AfterCommit', () => {
  const runner = { isTransactionActive: true } as QueryRunner;
  const manager = { queryRunner: runner } as EntityManager;
  const committed = () => {
    (runner as { isTransactionActive: boolean }).isTransactionActive = false;
    return { queryRunner: runner } as TransactionCommitEvent;
  };

  it('given work that throws after a commit, then the commit event does not throw and the work after it still runs', () => {
    const after = new AfterCommit({ subscribers: [] } as unknown as DataSource);
    const ran: string[] = [];
    after.defer(
      manager,
      () => {
        throw new Error('keeping the engine failed');
      },
      () => undefined,
    );
    after.defer(
      manager,
      () => ran.push('second'),
      () => undefined,
    );
    expect(() => after.afterTransactionCommit(committed())).not.toThrow();
    expect(ran).toEqual(['second']);
  });
});
