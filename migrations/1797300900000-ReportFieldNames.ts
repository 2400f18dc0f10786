import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Report fields stored before their names were read as one name (数据一次采集 compares them): "姓名 ", " 姓名",
 * "姓\u3000名" and "ＩＤ" stored then did not match 姓名 and ID typed now. Each stored list is rewritten as a request
 * now writes it — full-width letters and digits half-width, invisible format characters gone, white space trimmed,
 * a run of it one space and none beside a Chinese character, a name then repeated kept once (the first) — in
 * applications (the column, and the list it was submitted with, each cleaned on its own), admitted items and
 * dispatches (the column and the copy in `details`); an empty list leaves the key out. Only rows holding such a
 * character are read. The rules are those of `fieldName` (src/common/validation.ts) on the day of this migration,
 * written out here: a migration does what it did the day it ran, whatever the code becomes. Not undone by down
 * (the names as typed are not kept). Hand-written.
 */
export class ReportFieldNames1797300900000 implements MigrationInterface {
  name = 'ReportFieldNames1797300900000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['admission_application', 'admitted_item', 'dispatch']) {
      const rows: { id: string; report_fields: (string | null)[] }[] = await queryRunner.query(
        `SELECT id, report_fields FROM "${table}" WHERE array_to_string(report_fields, '|') ~ $1`,
        [SUSPECT],
      );
      for (const row of rows) {
        const names = oneNames(row.report_fields);
        if (sameList(names, row.report_fields)) continue;
        await queryRunner.query(`UPDATE "${table}" SET report_fields = $2 WHERE id = $1`, [row.id, names]);
        // A dispatch's details hold the list it was sent with: the same list (left out when empty, as sent).
        if (table === 'dispatch') await setList(queryRunner, 'dispatch', 'details', row.id, names);
      }
    }
    // What an application was submitted with (to show a returned one's changes) is cleaned from its own list, not
    // copied from the column: the department may have changed the list since, and that change must still show.
    const snapshots: { id: string; fields: unknown }[] = await queryRunner.query(
      `SELECT id, submitted_snapshot->'reportFields' AS fields FROM admission_application
        WHERE jsonb_typeof(submitted_snapshot->'reportFields') = 'array'
          AND (submitted_snapshot->'reportFields')::text ~ $1`,
      [SUSPECT],
    );
    for (const row of snapshots) {
      const before = (row.fields as unknown[]).filter((n): n is string => typeof n === 'string');
      const names = oneNames(before);
      if (!sameList(names, row.fields as unknown[]))
        await setList(queryRunner, 'admission_application', 'submitted_snapshot', row.id, names);
    }
  }

  public async down(): Promise<void> {
    // The names as typed are not kept: nothing to undo.
  }
}

/** Each name as one name, repeats kept once (the first), no empty names, NULL elements left out. */
function oneNames(list: readonly (string | null)[]): string[] {
  return [...new Set(list.filter((n): n is string => typeof n === 'string').map(oneName))].filter(
    (n) => n !== '',
  );
}

const sameList = (a: readonly string[], b: readonly unknown[]) =>
  a.length === b.length && a.every((n, i) => n === b[i]);

/** Writes the list into a jsonb column's reportFields, or leaves the key out when it is empty (as requests do). */
async function setList(
  queryRunner: QueryRunner,
  table: 'dispatch' | 'admission_application',
  column: 'details' | 'submitted_snapshot',
  id: string,
  names: string[],
): Promise<void> {
  if (names.length)
    await queryRunner.query(
      `UPDATE "${table}" SET "${column}" = jsonb_set("${column}", '{reportFields}', $2::jsonb)
        WHERE id = $1 AND "${column}" ? 'reportFields'`,
      [id, JSON.stringify(names)],
    );
  else
    await queryRunner.query(
      `UPDATE "${table}" SET "${column}" = "${column}" - 'reportFields' WHERE id = $1`,
      [id],
    );
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
