import 'reflect-metadata';
import { getMetadataStorage, type ValidationArguments } from 'class-validator';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  allValidationMetadata,
  constraintMessage,
  constraintName,
  FIELD_LABELS,
  installValidationMessages,
} from './validation-messages.js';

const SRC = resolve('src');

/** Every source file that declares request classes: each DTO file, and any other file that uses class-validator. */
function requestClassFiles(dir = SRC): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...requestClassFiles(path));
    else if (!entry.name.endsWith('.ts') || /\.(spec|d)\.ts$/.test(entry.name)) continue;
    else if (/\/dto\/[^/]+\.ts$/.test(path) || readFileSync(path, 'utf8').includes("from 'class-validator'"))
      out.push(path);
  }
  // The environment is read by operators at start-up, not by clerks: it stays out of the walk.
  return out.filter((p) => !relative(SRC, p).startsWith('config/') && !p.endsWith('/main.ts'));
}

/** The text of a message up to its first Chinese full stop has Chinese in it; English follows. */
function chineseFirst(message: string): boolean {
  const stop = message.indexOf('。');
  return (
    stop > 0 && /[\u4e00-\u9fff]/.test(message.slice(0, stop)) && /[A-Za-z]{2,}/.test(message.slice(stop))
  );
}

describe('validation messages', () => {
  let files: string[];
  beforeAll(async () => {
    files = requestClassFiles();
    for (const f of files) await import(f);
    installValidationMessages();
  });

  it('given every DTO file, then each was found and declares constraints', () => {
    expect(files.filter((f) => f.includes('/dto/')).length).toBeGreaterThanOrEqual(10);
    expect(allValidationMetadata().length).toBeGreaterThan(200);
  });

  it('given every constraint of every request class, then its message is Chinese first, then English, and names the field by its Chinese label', () => {
    const storage = getMetadataStorage() as unknown as {
      getTargetValidatorConstraints(
        c: unknown,
      ): { instance: { defaultMessage?: (a: ValidationArguments) => string } }[];
    };
    const bad: string[] = [];
    const unlabelled = new Set<string>();
    let checked = 0;
    for (const m of allValidationMetadata()) {
      if (m.type === 'conditionalValidation' || m.type === 'whitelistValidation') continue;
      const target = m.target as { name: string };
      if (target.name === 'Env') continue;
      const args: ValidationArguments = {
        property: m.propertyName,
        constraints: (m as { constraints?: unknown[] }).constraints ?? [],
        targetName: target.name,
        value: undefined,
        object: {},
      };
      const message =
        typeof m.message === 'function'
          ? m.message(args)
          : (m.message ??
            (m.type === 'customValidation'
              ? storage.getTargetValidatorConstraints(m.constraintCls)[0]?.instance.defaultMessage?.(args)
              : undefined) ??
            '');
      checked++;
      const label = FIELD_LABELS[`${target.name}.${m.propertyName}`] ?? FIELD_LABELS[m.propertyName];
      if (!new RegExp(`（[\\w.]*${m.propertyName}）`).test(message) && !(label && message.includes(label)))
        unlabelled.add(`${target.name}.${m.propertyName}: ${message}`);
      if (!chineseFirst(message) || !message.includes(m.propertyName))
        bad.push(`${target.name}.${m.propertyName} @${constraintName(m)}: ${JSON.stringify(message)}`);
    }
    expect(checked).toBeGreaterThan(200);
    expect([...unlabelled]).toEqual([]);
    expect(bad).toEqual([]);
  });

  it('given a constraint with its own message that does not name the field, then the field is named before it', () => {
    const m = allValidationMetadata().find(
      (x) =>
        (x.target as { name: string }).name === 'ChangePasswordDto' &&
        x.propertyName === 'newPassword' &&
        constraintName(x) === 'matches',
    )!;
    const text = (m.message as (a: ValidationArguments) => string)({
      property: 'newPassword',
      constraints: [],
      targetName: 'ChangePasswordDto',
      value: 'x',
      object: {},
    });
    expect(text.startsWith('新密码（newPassword）：密码至少 8 位')).toBe(true);
  });

  it('given a maximum length, then the message says the number in both languages', () => {
    expect(constraintMessage('maxLength', { property: 'title', constraints: [200] })).toBe(
      '标题（title）最多 200 个字符。title must have at most 200 characters.',
    );
    expect(constraintMessage('isUuid', { property: 'userIds', constraints: [] }, true)).toMatch(
      /^人员（userIds）的每一项须为 UUID.*Each entry of userIds must be a UUID/,
    );
  });
});
