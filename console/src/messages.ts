/**
 * What a clerk reads of the API's messages. The API writes each message in Chinese and then in English for other
 * clients, names a request's fields by their codes in brackets (标题（title）至少 1 个字符。title must have …) and
 * points to its answer's `details` and to its documents. The console shows the Chinese alone, without the codes,
 * and in words for what it shows on the page.
 */

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const LATIN = /[A-Za-z]/;

/** Pointers to the answer's parts and the API's documents, as a clerk reads them on the page. */
const PLAIN: [RegExp, string][] = [
  [/，?请按接口文档中的格式填写/g, ''],
  [/请按 ?details ?中列出的每一项修改后重新提交/g, '请逐项修改后重新提交'],
  [/details ?中列出了全部需要补正的项目，请一次改完后提交/g, '请将需要补正的项目一次改完后提交'],
  [/details ?按行号列出了全部问题/g, '问题按行号列在下方'],
  [/details ?列出了问题/g, '问题列在下方'],
  [/请从 ?details ?列出的选项中选择/g, '请从页面提供的选项中选择'],
  [/请按 ?details ?所列修改/g, '请修改'],
  [/（见 ?details ?中的 ?maxBytes）/g, ''],
  [/（大小上限见 ?details ?中的 ?maxBytes）/g, ''],
  [/（见 ?details）/g, ''],
  [/；?details ?指出了是哪一部分。?/g, ''],
];

/** A request field's code in brackets after its Chinese name: （title）, （document.issuedBy）, （items[0].name）. */
const FIELD_CODE = /（[A-Za-z_][\w.[\]]*）/g;

/** One message of the API as a clerk reads it: its Chinese sentences only, without field codes or API words. */
export function clerkText(message: string): string {
  if (!CJK.test(message)) return message;
  const text = message
    .split('；')
    .map(chineseOnly)
    .filter((part) => /[^\s。；，]/.test(part))
    .join('；');
  // A part that was only a pointer to the answer's details is gone: the sentence still ends as one.
  return /[。！？）]$/.test(text) || !/[。！？]/.test(message) ? text : `${text}。`;
}

/** A part of a message up to the sentence after which nothing is Chinese (the English that follows). */
function chineseOnly(part: string): string {
  let text = part;
  if (CJK.test(text))
    for (let i = 0; i < text.length; i++) {
      const rest = text.slice(i + 1);
      if ('。！？'.includes(text[i]) && !CJK.test(rest) && LATIN.test(rest)) {
        text = text.slice(0, i + 1);
        break;
      }
    }
  else if (LATIN.test(text)) return '';
  for (const [pattern, words] of PLAIN) text = text.replace(pattern, words);
  return withoutFieldCodes(text).trim();
}

/** A value the API quotes (a file name, a typed name, a cell): its brackets are its own, never a field code. */
const QUOTED = /“[^”]*”/g;

/** The text without field codes in brackets, except inside a quoted value (“清单（v2）.csv” keeps its （v2）). */
function withoutFieldCodes(text: string): string {
  let out = '';
  let from = 0;
  for (const m of text.matchAll(QUOTED)) {
    out += text.slice(from, m.index).replace(FIELD_CODE, '') + m[0];
    from = m.index + m[0].length;
  }
  return out + text.slice(from).replace(FIELD_CODE, '');
}

/** Every text in an answer's details as a clerk reads it (numbers, field names and the shape stay). */
export function clerkDetails(details: unknown): unknown {
  if (typeof details === 'string') return clerkText(details);
  if (Array.isArray(details)) return details.map(clerkDetails);
  if (details && typeof details === 'object')
    return Object.fromEntries(Object.entries(details).map(([k, v]) => [k, clerkDetails(v)]));
  return details;
}

/** The problems an answer's details list (each `{ problems: [...] }`, `{ message }` or a text), in order. */
export function detailProblems(details: unknown): string[] {
  if (!Array.isArray(details)) return [];
  return details.flatMap((d: unknown) => {
    if (typeof d === 'string') return [d];
    if (d && typeof d === 'object') {
      const { problems, message } = d as { problems?: unknown; message?: unknown };
      if (Array.isArray(problems)) return problems.filter((p): p is string => typeof p === 'string');
      if (typeof message === 'string') return [message];
    }
    return [];
  });
}
