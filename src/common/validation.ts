/*
 * How a request is validated and how its problems are told, in one place: the project's decorators (Optional,
 * SingleLine, IsDecimal …), the global pipe, and the rules by which its problems become an answer (a wrong type told
 * alone, bounded lists, Chinese labels). Over 400 lines because the rules of one answer belong together.
 */
import {
  type ArgumentMetadata,
  type PipeTransform,
  type ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsDefined,
  ValidateBy,
  ValidateIf,
  type ValidatorOptions,
} from 'class-validator';
import { AppError } from './errors.js';
import { constraintName, fieldLabel, installValidationMessages } from './validation-messages.js';

/** The largest value of a PostgreSQL `integer` column (versions and other counters). */
export const INT32_MAX = 2_147_483_647;

/**
 * An optional field that may be left out but not sent as null (class-validator's IsOptional lets null through
 * to the database): null answers 400 naming the field.
 */
export function Optional(): PropertyDecorator {
  return (target, key) => {
    ValidateIf((_, value) => value !== undefined)(target, key);
    IsDefined({
      message: ({ property, targetName }) =>
        `${fieldLabel(property, targetName)}不能为 null；不需要时请省略该字段。${property} may not be null; leave it out instead.`,
    })(target, key);
  };
}

/**
 * A finite number with at most `places` decimal places, however it is written (class-validator's own
 * maxDecimalPlaces fails on numbers written with an exponent, such as 1e-7).
 */
export function IsDecimal(places: number): PropertyDecorator {
  const scale = 10 ** places;
  return ValidateBy({
    name: 'isDecimal',
    validator: {
      validate: (v: unknown) =>
        typeof v === 'number' && Number.isFinite(v) && Math.round(v * scale) / scale === v,
      defaultMessage: (a) =>
        `${fieldLabel(a?.property ?? '', a?.targetName)}须为数字，最多 ${places} 位小数。${a?.property} must be a number with at most ${places} decimal place(s).`,
    },
  });
}

/**
 * Control characters (line breaks, tabs, escape, backspace …), the line and paragraph separators, and the
 * direction overrides and isolates (a file name "a\u202egpj.pdf" shows as afdp.jpg): no name or title holds one.
 */
const CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/**
 * A name or title on one line: no control character (a line break, a tab, an escape sequence pasted from a
 * terminal) — it would show broken in lists, file names and exports, and no clerk can type it again to find it.
 */
export function SingleLine(): PropertyDecorator {
  return ValidateBy({
    name: 'singleLine',
    validator: {
      // A list of names (report fields): each of them.
      validate: (v: unknown) =>
        Array.isArray(v)
          ? v.every((x) => typeof x !== 'string' || !CONTROL.test(x))
          : typeof v !== 'string' || !CONTROL.test(v),
      defaultMessage: (a) =>
        `${fieldLabel(a?.property ?? '', a?.targetName)}不能含换行、制表符等控制字符，请写在一行内。${a?.property} must be one line without control characters.`,
    },
  });
}

/** Characters that reorder what follows (U+202E shows a‮gpj.pdf as afdp.jpg): no text of a clerk's needs them. */
const DIRECTION_OVERRIDE = /[\u202a-\u202e\u2066-\u2069]/u;

/** Whether a text of several lines (a legal basis, conditions) holds a direction override or embedding. */
export const hasDirectionOverride = (text: string): boolean => DIRECTION_OVERRIDE.test(text);

/** Whether a text holds a control character (line break, tab …): see SingleLine. */
export const hasControlCharacter = (text: string): boolean => CONTROL.test(text);

/** An optional field for which null means the same as leaving it out (use with IsOptional). */
export const NullAsAbsent = () => Transform(({ value }) => (value === null ? undefined : value));

export interface FieldProblem {
  field: string;
  problems: string[];
}

/** Flattens class-validator's tree into one entry per field, so every problem is told at once (一次告知). */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      const problems = ofRightType(e.constraints, e.value, e.property).map(([rule, text]) =>
        rule === 'whitelistValidation'
          ? unknownField(field)
          : rule === 'unknownValue'
            ? `${field || '请求内容'}须为 JSON 对象。${field || 'The body'} must be a JSON object.`
            : text,
      );
      // The same words twice (a query field given twice, two rules with one message) are told once.
      out.push({ field, problems: [...new Set(problems)] });
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/** The most fields an answer names one by one, and the longest field name it repeats. */
const SHOWN_FIELDS = 50;
const FIELD_NAME_CHARS = 100;

/**
 * Problems as an answer tells them: a field name cut to 100 characters (a key sent is repeated in its message),
 * at most 50 fields and then how many more — the answer does not grow with what was sent (100 objects of 999
 * unknown keys, 0.9 MB sent, answered 13 MB).
 */
export function boundedProblems(list: FieldProblem[]): FieldProblem[] {
  const cut = (field: string) =>
    field.length > FIELD_NAME_CHARS ? `${field.slice(0, FIELD_NAME_CHARS)}…` : field;
  const shown = list.slice(0, SHOWN_FIELDS).map(({ field, problems }) => {
    const short = cut(field);
    return short === field
      ? { field, problems }
      : { field: short, problems: problems.map((p) => p.split(field).join(short)) };
  });
  const more = list.length - shown.length;
  return more > 0
    ? [
        ...shown,
        {
          field: 'body',
          problems: [
            `另有 ${more} 处问题未列出，请先改正以上各处后重新提交。${more} more problems not listed; fix those above and send again.`,
          ],
        },
      ]
    : shown;
}

/** The JavaScript type each type rule asks for. */
const TYPE_OF_RULE: Record<string, (v: unknown) => boolean> = {
  isDecimal: (v) => typeof v === 'number',
  isNumber: (v) => typeof v === 'number',
  isInt: (v) => typeof v === 'number',
  isString: (v) => typeof v === 'string',
  isBoolean: (v) => typeof v === 'boolean',
  isArray: (v) => Array.isArray(v),
};

/**
 * A value of the wrong type is told only that (须为数字): its bounds and lengths do not apply to it, and telling
 * them too (不能小于 0, 不能大于 1000 for "abc") contradicts the first message.
 */
function ofRightType(
  constraints: Record<string, string>,
  value: unknown,
  property: string,
): [string, string][] {
  const all = Object.entries(constraints);
  // Left out or null: an optional field's 不能为 null says what to do; a required one is told its type (须为文本),
  // not lengths or bounds of a value it does not have.
  if (value === undefined || value === null) {
    const defined = all.filter(([rule]) => rule === 'isDefined');
    const typed = all.filter(([rule]) => TYPE_OF_RULE[rule]);
    return defined.length ? defined : typed.length ? typed : all;
  }
  // A rule of each item (IsString({ each: true }): its message says "Each entry of") says nothing of the value's
  // own type; any other type rule the value fails does.
  const wrongType = all
    .filter(
      ([rule, text]) => TYPE_OF_RULE[rule] && !text.includes('Each entry of') && !TYPE_OF_RULE[rule](value),
    )
    .map(([rule, text]): [string, string] =>
      // A list where one value is asked (a query parameter given twice, ?page=1&page=2): one value, not its type.
      Array.isArray(value) && rule !== 'isArray'
        ? [
            rule,
            `${fieldLabel(property)}只能有一个值，不能是列表或重复填写（收到 ${value.length} 个）。${property} takes one value, not a list or a repeated parameter.`,
          ]
        : [rule, text],
    );
  if (wrongType.length) return wrongType;
  // A list whose entries are of the wrong type ([1] where texts are asked) is told that, not their lengths too;
  // the list's own rules (how many) still are.
  if (Array.isArray(value)) {
    const wrongItems = all.filter(
      ([rule, text]) =>
        TYPE_OF_RULE[rule] && text.includes('Each entry of') && value.some((v) => !TYPE_OF_RULE[rule](v)),
    );
    if (wrongItems.length)
      return [...all.filter(([, text]) => !text.includes('Each entry of')), ...wrongItems];
  }
  return all;
}

export const unknownField = (field: string) =>
  `${field} 不是可接受的字段，请删除。Unknown field "${field}"; remove it.`;

/** The names every object has (toString, valueOf, constructor …): no request field is named so. */
const OBJECT_MEMBERS = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * The fields of a request's JSON (at any depth) named like what every object has. class-transformer does not copy
 * them into the DTO (they are taken for the object's own methods), so the whitelist would never see them: an
 * unknown field `toString` would be dropped silently instead of refused as every other unknown field is.
 */
export function objectMemberFields(value: unknown): string[] {
  const found: string[] = [];
  if (value === null || typeof value !== 'object') return [];
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    for (const key of Object.keys(v as object)) {
      const child = (v as Record<string, unknown>)[key];
      // Only names and objects cost anything: the values of a large array or a long text are passed over.
      if (OBJECT_MEMBERS.has(key)) found.push(path ? `${path}.${key}` : key);
      else if (child !== null && typeof child === 'object')
        stack.push([child, path ? `${path}.${key}` : key]);
    }
  }
  return found.sort();
}

const ID_IN_CAPITALS = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const smallLetters = (v: unknown): unknown =>
  typeof v === 'string' && v.length === 36 && ID_IN_CAPITALS.test(v)
    ? v.toLowerCase()
    : Array.isArray(v)
      ? v.map(smallLetters)
      : v;

/** The id fields (@IsUUID) and the nested request fields of a request class. */
interface RequestFields {
  ids: string[];
  nested: string[];
}
const requestFieldsOf = new WeakMap<object, RequestFields>();

/**
 * A request class's fields, read from its validation rules once (they are declared when the class is, before any
 * request): walking every rule of the class at each request cost each request its share.
 */
function requestFields(target: object): RequestFields {
  let fields = requestFieldsOf.get(target);
  if (!fields) {
    const ids = new Set<string>();
    const nested = new Set<string>();
    for (const m of getMetadataStorage().getTargetValidationMetadatas(target as Function, '', true, false)) {
      if (constraintName(m) === 'isUuid') ids.add(m.propertyName);
      if (m.type === 'nestedValidation') nested.add(m.propertyName);
    }
    fields = { ids: [...ids], nested: [...nested] };
    requestFieldsOf.set(target, fields);
  }
  return fields;
}

/**
 * Before validation, on the plain value of a request class's fields (its own, not nested ones): rules over
 * several ids (ArrayUnique) then see the same id written two ways as one. See smallLetterIds.
 */
function smallLetterIdsOf(value: unknown, metatype: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  if (typeof metatype !== 'function' || metatype === Object) return value;
  let copy: Record<string, unknown> | null = null;
  for (const field of requestFields(metatype).ids) {
    if (!Object.prototype.hasOwnProperty.call(value, field)) continue;
    const before = (value as Record<string, unknown>)[field];
    const after = smallLetters(before);
    if (after === before || (Array.isArray(before) && before.every((v, i) => v === (after as unknown[])[i])))
      continue;
    copy ??= { ...(value as Record<string, unknown>) };
    copy[field] = after;
  }
  return copy ?? value;
}

/**
 * A request's ids in small letters: an id written in capitals is the same id (RFC 4122; @IsUUID takes either),
 * and the service compares ids as text in places (a community named twice, a retry's ids, a case's variables).
 * Only the fields that are ids (@IsUUID), of the request class and of its nested ones, change: a password, an
 * idempotency key or a bank reference that looks like an id stays as it was sent.
 */
export function smallLetterIds(dto: unknown, depth = 0): void {
  if (!dto || typeof dto !== 'object' || depth > 16) return;
  if (Array.isArray(dto)) {
    for (const item of dto) smallLetterIds(item, depth + 1);
    return;
  }
  // A plain object (or one without a prototype, as a query is parsed) is no request class.
  const target: unknown = (dto as object).constructor;
  if (typeof target !== 'function' || target === Object) return;
  const values = dto as Record<string, unknown>;
  const { ids, nested } = requestFields(target);
  for (const field of ids) {
    const value = values[field];
    if (value === undefined || value === null) continue;
    // Only a value that changes is written: a field left out stays left out (a draft's PATCH reads which
    // fields were sent).
    const lower = smallLetters(value);
    if (Array.isArray(value) ? value.some((v, i) => v !== (lower as unknown[])[i]) : lower !== value)
      values[field] = lower;
  }
  for (const field of nested) {
    const value = values[field];
    if (value !== undefined && value !== null) smallLetterIds(value, depth + 1);
  }
}

/**
 * What no text of a clerk's holds, even of several lines: a control character other than a line break or a tab
 * (a terminal escape, C1 controls such as U+0085), a line or paragraph separator, a direction override, embedding
 * or isolate (U+202E shows what follows backwards).
 */
const HIDDEN_CONTROL = /(?![\t\n\r])[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** Every string of a value (at any depth) holding a hidden control, by field path (a.b.0): at most 50, each told. */
export function hiddenControlFields(value: unknown, path: string, out: FieldProblem[] = []): FieldProblem[] {
  if (out.length >= SHOWN_FIELDS) return out;
  if (typeof value === 'string') {
    if (HIDDEN_CONTROL.test(value)) {
      // Named by the field's label (an entry of a list by the list's): 异议理由（argument）含有…
      const named = path
        .split('.')
        .filter((p) => !/^\d+$/.test(p))
        .pop();
      out.push({
        field: path || 'body',
        problems: [
          `${named ? fieldLabel(named) : '请求内容'}含有看不见的控制字符（如方向控制符、终端转义字符），请删除后重新输入。${path || 'The body'} contains an invisible control character (a direction override, a terminal escape …); remove it.`,
        ],
      });
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => hiddenControlFields(v, path ? `${path}.${i}` : String(i), out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) hiddenControlFields(v, path ? `${path}.${k}` : k, out);
  }
  return out;
}

/**
 * The global ValidationPipe, whose messages are Chinese first (see validation-messages.ts): before it validates,
 * every constraint of the classes loaded so far has its message installed. Fields named like what every object has
 * are unknown fields too, told with the others.
 */
class ChineseValidationPipe extends ValidationPipe {
  override async transform(raw: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const value = smallLetterIdsOf(raw, metadata.metatype);
    const members = this.toValidate(metadata) ? objectMemberFields(value) : [];
    const refused = members.map((field) => ({ field, problems: [unknownField(field)] }));
    // A body's texts: no invisible controls (a query may carry them: a pasted name is matched without them).
    const hidden = metadata.type === 'body' ? hiddenControlFields(value, '') : [];
    let result: unknown;
    try {
      result = await super.transform(value, metadata);
    } catch (e) {
      if (
        (refused.length || hidden.length) &&
        e instanceof AppError &&
        e.code === 'VALIDATION_FAILED' &&
        Array.isArray(e.details)
      ) {
        // A field its own rules refused already (a one-line name with a control) is told once, by them.
        const told = (e.details as FieldProblem[]).map((d) => d.field);
        const more = hidden.filter((f) => !told.some((t) => f.field === t || f.field.startsWith(`${t}.`)));
        throw new AppError(
          'VALIDATION_FAILED',
          boundedProblems([...(e.details as FieldProblem[]), ...refused, ...more]),
        );
      }
      throw e;
    }
    if (refused.length || hidden.length)
      throw new AppError('VALIDATION_FAILED', boundedProblems([...refused, ...hidden]));
    smallLetterIds(result);
    return result;
  }

  protected override validate(object: object, validatorOptions?: ValidatorOptions) {
    installValidationMessages();
    return super.validate(object, validatorOptions);
  }
}

export function makeValidationPipe(): ValidationPipe {
  installValidationMessages();
  return new ChineseValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // The value stays on the error for ofRightType (a wrong type told alone); it is not sent to the client.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) =>
      new AppError('VALIDATION_FAILED', boundedProblems(flattenValidationErrors(errors))),
  });
}

/**
 * Base64 as class-validator's IsBase64 accepts it (A–Z a–z 0–9 + /, padded with at most two '=' to a length
 * that is a multiple of 4; empty is base64), checked in one pass without a regular expression. V8 runs a
 * regular expression over a subject of megabytes (an attachment's content) in a way that may throw
 * "Maximum call stack size exceeded" on a busy machine: a 5 MB upload answered 500 instead of 413.
 */
export function isBase64Text(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  let end = text.length;
  for (let pad = 0; pad < 2 && end > 0 && text.charCodeAt(end - 1) === 0x3d /* = */; pad++) end--;
  if (end === 0) return text.length === 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const ok =
      (c >= 0x41 && c <= 0x5a) || // A-Z
      (c >= 0x61 && c <= 0x7a) || // a-z
      (c >= 0x30 && c <= 0x39) || // 0-9
      c === 0x2b || // +
      c === 0x2f; // /
    if (!ok) return false;
  }
  return true;
}

/** A base64 text (see isBase64Text); for fields that may carry megabytes, such as a file's content. */
export function IsBase64Text(): PropertyDecorator {
  return ValidateBy({
    name: 'isBase64',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && isBase64Text(v),
      defaultMessage: (a) =>
        `${fieldLabel(a?.property ?? '', a?.targetName)}须为 base64 编码。${a?.property} must be base64 encoded.`,
    },
  });
}

/** What PostgreSQL cannot store in text or jsonb: a NUL character, or half of a surrogate pair (not Unicode). */
const NUL = '\u0000';

/** Half of a surrogate pair without its other half, found in one pass (no regular expression: see isBase64Text). */
export function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return true;
  }
  return false;
}

export interface BadString {
  field: string;
  nul: boolean;
}

/** Every key or string in a value, at any depth, that PostgreSQL cannot store, by field path (a.b.0). */
export function badStrings(value: unknown, path: string, out: BadString[] = []): BadString[] {
  const check = (text: string, field: string) => {
    if (text.includes(NUL)) out.push({ field, nul: true });
    else if (hasLoneSurrogate(text)) out.push({ field, nul: false });
  };
  if (typeof value === 'string') check(value, path);
  else if (Array.isArray(value))
    value.forEach((v, i) => badStrings(v, path ? `${path}.${i}` : String(i), out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const field = path ? `${path}.${k}` : k;
      check(k, field);
      badStrings(v, field, out);
    }
  }
  return out;
}

/**
 * Refuses, naming each field, a NUL character or an unpaired surrogate (text that is not Unicode) in any string a
 * handler receives (body, query, path): PostgreSQL cannot store them in text or jsonb, and no clerk means to
 * send them. Runs before validation.
 */
export class RejectUnstorableTextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const found = badStrings(value, metadata.data ?? '');
    if (found.length === 0) return value;
    const seen = new Set<string>();
    // Told as every other problem is: at most 50 fields, each cut short (900,000 NULs answered 124 MB).
    throw new AppError(
      'VALIDATION_FAILED',
      boundedProblems(
        found
          .filter(({ field }) => !seen.has(field) && seen.add(field))
          .map(({ field, nul }) => {
            const name = field || metadata.type;
            return {
              field,
              problems: [
                nul
                  ? `${name} 含有空字符（\\u0000），请删除。${name} contains a NUL character (\\u0000); remove it.`
                  : `${name} 含有无效字符（不成对的代理项），请重新输入。${name} contains an invalid character (an unpaired surrogate, not Unicode); type it again.`,
              ],
            };
          }),
      ),
    );
  }
}

/** A real calendar day written YYYY-MM-DD between the years 1900 and 9999 (no 2027-02-30, no year 0). */
export function isCalendarDay(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * What shows nothing on a page: white space (of any script, full-width too) and the invisible format characters
 * (soft hyphen, zero-width space and joiners, direction marks and embeddings, word joiner, byte-order mark).
 */
const FORMAT_CHARS =
  '\\u00ad\\u061c\\u115f\\u1160\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u206a-\\u206f\\u2800\\u3164\\ufeff\\uffa0';
const INVISIBLE_FORMAT = new RegExp(`[${FORMAT_CHARS}]`, 'gu');
const INVISIBLE = new RegExp(`[\\s${FORMAT_CHARS}]`, 'gu');

/**
 * A Transform for text fields: the text without the white space around it, and '' for one with nothing a reader
 * would see (a zero-width space alone is no name, purpose or reason), so that MinLength(1) refuses it.
 */
export const trimText = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? (isBlank(value) ? '' : value.trim()) : value;

/** Whether a text has nothing a reader would see (a "not blank" field's test: trim() keeps a zero-width space). */
export function isBlank(text: string | null | undefined): boolean {
  return !text || text.replace(INVISIBLE, '') === '';
}

const CJK_CHAR = '[\\u3400-\\u9fff\\uf900-\\ufaff]';
const SPACE_BESIDE_CJK = new RegExp(`(?<=${CJK_CHAR}) | (?=${CJK_CHAR})`, 'gu');

/**
 * A field's name as one name (数据一次采集 compares them): full-width letters and digits as half-width, invisible
 * characters gone, white space (full-width too) trimmed, a run of it one space, and none beside a Chinese character
 * — "姓名 ", " 姓名" and "姓\u3000名" are all 姓名; "ID number" stays two words. Punctuation and symbols stay as
 * typed (联系电话（手机） is not 联系电话(手机)): names stored before compare as they did.
 */
export function fieldName(name: string): string {
  return name
    .replace(/[０-９Ａ-Ｚａ-ｚ]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(INVISIBLE_FORMAT, '')
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(SPACE_BESIDE_CJK, '');
}

/** A list of fields' names, each as one name (fieldName), before it is validated; anything else as it came. */
export function FieldNames(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'string' ? fieldName(v) : v)) : value,
  );
}
