import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Report fields stored before their names were read as one name (数据一次采集 compares them): "姓名 ", " 姓名",
 * "姓\u3000名" and "ＩＤ" stored then did not match 姓名 and ID typed now. Each stored list is rewritten as a request
 * now writes it — full-width letters and digits half-width, invisible format characters gone, white space trimmed,
 * a run of it one space and none beside a Chinese character, a name then repeated kept once (the first) — in
 * applications, admitted items and dispatches (the column and the copy in `details`). Only rows holding such a
 * character are read. The rules are those of `fieldName` (src/common/validation.ts) on the day of this migration,
 * written out here: a migration does what it did the day it ran, whatever the code becomes. Not undone by down
 * (the names as typed are not kept). Hand-written.
 */
export class ReportFieldNames1797300900000 implements MigrationInterface {
  name = 'ReportFieldNames1797300900000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['admission_application', 'admitted_item', 'dispatch']) {
      const rows: { id: string; report_fields: string[] }[] = await queryRunner.query(
        `SELECT id, report_fields FROM "${table}" WHERE array_to_string(report_fields, '|') ~ $1`,
        [SUSPECT],
      );
      for (const row of rows) {
        // A name of nothing but invisible characters is no name (a request refuses it today).
        const names = [...new Set(row.report_fields.map(oneName))].filter((n) => n !== '');
        if (names.length === row.report_fields.length && names.every((n, i) => n === row.report_fields[i]))
          continue;
        await queryRunner.query(`UPDATE "${table}" SET report_fields = $2 WHERE id = $1`, [row.id, names]);
        // What was submitted, kept to show a returned application's changes: as the column, else a change shows
        // that the department never made.
        if (table === 'admission_application')
          await queryRunner.query(
            `UPDATE admission_application
                SET submitted_snapshot = jsonb_set(submitted_snapshot, '{reportFields}', $2::jsonb)
              WHERE id = $1 AND submitted_snapshot ? 'reportFields'`,
            [row.id, JSON.stringify(names)],
          );
        if (table === 'dispatch')
          await queryRunner.query(
            `UPDATE dispatch SET details = jsonb_set(details, '{reportFields}', $2::jsonb)
              WHERE id = $1 AND details ? 'reportFields'`,
            [row.id, JSON.stringify(names)],
          );
      }
    }
  }

  public async down(): Promise<void> {
    // The names as typed are not kept: nothing to undo.
  }
}

/**
 * A character the rules change: white space (every kind JavaScript's \s knows, named: PostgreSQL's [[:space:]]
 * leaves out the no-break space pasted from documents), a full-width letter or digit, an invisible format character.
 */
const SUSPECT =
  '[[:space:]\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000０-９Ａ-Ｚａ-ｚ\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]';

const FORMAT = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/gu;
const CJK = '[\\u3400-\\u9fff\\uf900-\\ufaff]';
const SPACE_BESIDE_CJK = new RegExp(`(?<=${CJK}) | (?=${CJK})`, 'gu');

function oneName(name: string): string {
  return name
    .replace(/[０-９Ａ-Ｚａ-ｚ]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(FORMAT, '')
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(SPACE_BESIDE_CJK, '');
}
