import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Findings that bind (issue 11 item 1): an admitted item keeps the failing checks that were overridden, with who,
 * when and why; every stored finding gets its stable code (the check's name; `shared-report-fields` for the
 * 数据一次采集 check, the one whose details list fields). Hand-written.
 */
export class FindingOverrides1797000100000 implements MigrationInterface {
  name = 'FindingOverrides1797000100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "admitted_item" ADD "overridden_findings" jsonb NOT NULL DEFAULT '[]'`,
    );
    await queryRunner.query(
      `UPDATE "admission_application" a
          SET "findings" = (SELECT jsonb_agg(
                 f || jsonb_build_object('code',
                   CASE WHEN f->>'check' = 'duplicates' AND jsonb_typeof(f->'details') = 'array'
                             AND f->'details'->0 ? 'fields' THEN 'shared-report-fields'
                        ELSE f->>'check' END)
                 ORDER BY n)
               FROM jsonb_array_elements(a."findings") WITH ORDINALITY AS x(f, n))
        WHERE jsonb_array_length(a."findings") > 0`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "admitted_item" DROP COLUMN "overridden_findings"`);
  }
}
