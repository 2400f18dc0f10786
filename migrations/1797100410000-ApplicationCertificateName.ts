import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A stamp demand's certificate (admission_application.certificate_name): an application of kind stamp (盖章证明)
 * names the certificate committees would issue, and the automatic checks look it up in the stamp registry.
 */
export class ApplicationCertificateName1797100410000 implements MigrationInterface {
  name = 'ApplicationCertificateName1797100410000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "admission_application" ADD "certificate_name" character varying(100)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "admission_application" DROP COLUMN "certificate_name"`);
  }
}
