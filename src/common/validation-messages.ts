import { getMetadataStorage, type ValidationArguments } from 'class-validator';

/**
 * The messages of class-validator's constraints in Chinese first, then English, each naming the field by its
 * Chinese label and its name (`标题（title）须为文本。title must be text.`). class-validator's own messages are
 * English only (`title must be a string`): installValidationMessages() gives every constraint of every class
 * that has one a message from this table, so no DTO needs a message of its own.
 */

/** The Chinese label of a field, by its name (a `Class.field` entry wins over the plain name). */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  account: '收款账户',
  action: '操作',
  active: '是否启用',
  actorId: '操作人',
  afterSeq: '起始序号',
  amountFen: '金额（分）',
  appliesTo: '适用类型',
  asOf: '查询日期',
  authorizedContent: '授权内容',
  businessKey: '业务编号',
  code: '编码',
  comment: '意见',
  community: '社区',
  communityId: '社区',
  contactName: '联系人',
  contactPhone: '联系电话',
  content: '事项内容',
  contentBase64: '文件内容',
  contentType: '文件类型',
  csv: '日历文件内容',
  currentPassword: '当前密码',
  days: '天数',
  decision: '办理意见',
  deficiencies: '需补正的问题',
  departmentId: '部门',
  displayName: '姓名',
  endDate: '结束日期',
  entityId: '对象编号',
  entityType: '对象类型',
  fileName: '文件名',
  form: '表单',
  frequency: '频次',
  fundingPerCommunityFen: '每社区经费（分）',
  fundingSource: '经费来源',
  idempotencyKey: '幂等键',
  keywords: '关键词',
  kind: '类型',
  'ApplicationFieldsDto.kind': '事项类别',
  'EmergencyItemDto.kind': '事项类别',
  'CreateUnitDto.kind': '单位类型',
  'CreateUnitDto.code': '单位编码',
  'ListUnitsQuery.kind': '单位类型',
  legalBasisArticle: '法律依据条款',
  legalBasisDocument: '法律依据文件',
  memberUnitIds: '成员单位',
  name: '名称',
  nameEn: '英文名称',
  nameZh: '中文名称',
  newPassword: '新密码',
  note: '说明',
  ownerUnitId: '所属单位',
  page: '页码',
  pageSize: '每页条数',
  parentId: '上级单位',
  password: '密码',
  period: '评议期间',
  powers: '权力事项',
  principalLeaderId: '主要领导',
  processId: '流程',
  q: '查询词',
  reason: '理由',
  reference: '凭证号',
  regularizesItemId: '所转正的应急事项',
  reportFields: '报表字段',
  respondents: '参评人数',
  roles: '角色',
  satisfied: '满意人数',
  source: '来源',
  startDate: '开始日期',
  statutoryArea: '法定协助领域',
  supportOffered: '提供的支持',
  targetCommunityIds: '目标社区',
  targetPopulation: '服务对象',
  targetScope: '实施范围',
  targetUnitId: '目标单位',
  title: '标题',
  toUserId: '接收人',
  unitId: '单位',
  until: '截止时间',
  userIds: '人员',
  username: '用户名',
  variables: '流程变量',
  version: '版本号',
  workingDay: '是否工作日',
  workloadHoursPerMonth: '每月工作量（小时）',
  year: '年份',
  // Dispatch (issue 14).
  admittedItemId: '所依据的准入事项',
  certificateName: '证明名称',
  communityIds: '社区',
  dueDate: '截止日期',
  expectedHours: '预计工时（小时）',
  hours: '实际用时（小时）',
  meetingPlace: '会议地点',
  meetingTime: '会议时间',
  reasonCode: '拒绝理由',
  scoresOnlineTime: '是否考核在线时长',
  targets: '派往单位',
  'ReceivedWorkQuery.state': '状态',
  argument: '异议理由',
  basis: '依据',
  // Lists, queries and the stamp registry.
  area: '领域',
  changes: '调整内容',
  correctionReason: '更正理由',
  correctsId: '所更正的登记',
  communityName: '社区名称',
  document: '整份清单共用的信息',
  field: '字段',
  for: '用途',
  issued: '发文日期',
  issuedBy: '发文机关',
  itemId: '事项',
  legalBasis: '法律依据',
  listType: '清单类型',
  problem: '问题',
  refused: '只看被拒绝的',
  requesterName: '申请人姓名',
  requesterPhone: '申请人电话',
  'RecordStampDto.purpose': '用途',
  stampedAt: '用印时间',
  scope: '适用范围',
  scopeCode: '适用范围',
  sourceDocument: '来源文件',
  state: '状态',
  status: '状态',
  summary: '调整说明',
  'StampListQuery.type': '清单类型',
  uncovered: '只看未覆盖的',
};

/** An idempotency key's rule, said the same wherever one is sent (a dispatch, a funding transfer). */
export const IDEMPOTENCY_KEY_MESSAGE =
  '幂等键（idempotencyKey）须为 1–100 个字母、数字或 . : _ - 符号（同一个键重发得到同一结果）。idempotencyKey must be 1–100 letters, digits or . : _ -.';

/** How a message names a field: its Chinese label and its name, e.g. `标题（title）`; the name alone when unlabelled. */
export function fieldLabel(property: string, targetName?: string): string {
  const label = (targetName && FIELD_LABELS[`${targetName}.${property}`]) ?? FIELD_LABELS[property];
  return label ? `${label}（${property}）` : property;
}

type Template = (c: unknown[]) => [zh: string, en: string];

const list = (v: unknown): string =>
  Array.isArray(v) ? v.map(String).join('、') : v && typeof v === 'object' ? Object.values(v).join('、') : '';
const day = (v: unknown): string => {
  const d = typeof v === 'function' ? (v as () => unknown)() : v;
  return d instanceof Date ? d.toISOString() : String(d);
};

/** Constraint name → what the field must be, in Chinese and in English (class-validator's built-in names). */
export const CONSTRAINT_MESSAGES: Readonly<Record<string, Template>> = {
  isDefined: () => ['必须填写', 'is required'],
  isNotEmpty: () => ['不能为空', 'must not be empty'],
  isEmpty: () => ['须为空', 'must be empty'],
  equals: (c) => [`须等于 ${String(c[0])}`, `must equal ${String(c[0])}`],
  notEquals: (c) => [`不能等于 ${String(c[0])}`, `must not equal ${String(c[0])}`],
  isIn: (c) => [`须为下列之一：${list(c[0])}`, `must be one of: ${list(c[0])}`],
  isNotIn: (c) => [`不能为下列之一：${list(c[0])}`, `must not be one of: ${list(c[0])}`],
  isEnum: (c) => [`须为下列之一：${list(c[1] ?? c[0])}`, `must be one of: ${list(c[1] ?? c[0])}`],
  isBoolean: () => ['须为 true 或 false', 'must be true or false'],
  isBooleanString: () => ['须为 true 或 false', 'must be true or false'],
  isString: () => ['须为文本', 'must be text'],
  isNumber: () => ['须为数字', 'must be a number'],
  isNumberString: () => ['须为数字', 'must be a number'],
  isInt: () => ['须为整数', 'must be a whole number'],
  isPositive: () => ['须为正数', 'must be a positive number'],
  isNegative: () => ['须为负数', 'must be a negative number'],
  isDivisibleBy: (c) => [`须为 ${String(c[0])} 的倍数`, `must be divisible by ${String(c[0])}`],
  min: (c) => [`不能小于 ${String(c[0])}`, `must not be less than ${String(c[0])}`],
  max: (c) => [`不能大于 ${String(c[0])}`, `must not be greater than ${String(c[0])}`],
  isDate: () => ['须为日期时间，如 2027-06-01T09:00:00+08:00', 'must be a date and time'],
  minDate: (c) => [`不能早于 ${day(c[0])}`, `must not be before ${day(c[0])}`],
  maxDate: (c) => [`不能晚于 ${day(c[0])}`, `must not be after ${day(c[0])}`],
  isDateString: () => [
    '须为 ISO 8601 格式的日期或时间，如 2027-06-01',
    'must be an ISO 8601 date or time, e.g. 2027-06-01',
  ],
  isIso8601: () => [
    '须为 ISO 8601 格式的日期或时间，如 2027-06-01',
    'must be an ISO 8601 date or time, e.g. 2027-06-01',
  ],
  isUuid: () => [
    '须为 UUID 格式的编号（从列表或详情中复制）',
    'must be a UUID (copy it from a list or a page)',
  ],
  isEmail: () => ['须为电子邮箱地址', 'must be an e-mail address'],
  isUrl: () => ['须为网址', 'must be a URL'],
  isBase64: () => ['须为 base64 编码', 'must be base64 encoded'],
  isJson: () => ['须为 JSON 文本', 'must be a JSON text'],
  isObject: () => ['须为对象（JSON 对象）', 'must be an object'],
  isNotEmptyObject: () => ['须为非空对象', 'must be a non-empty object'],
  isArray: () => ['须为列表（数组）', 'must be a list (an array)'],
  arrayNotEmpty: () => ['至少须有一项', 'must have at least one entry'],
  arrayMinSize: (c) =>
    Number(c[0]) === 1
      ? ['须至少选择或填写一项', 'needs at least one entry']
      : [`至少须有 ${String(c[0])} 项`, `must have at least ${String(c[0])} entries`],
  arrayMaxSize: (c) => [`最多 ${String(c[0])} 项`, `must have at most ${String(c[0])} entries`],
  arrayUnique: () => ['各项不能重复', 'must not repeat an entry'],
  arrayContains: (c) => [`须包含 ${list(c[0])}`, `must contain ${list(c[0])}`],
  arrayNotContains: (c) => [`不能包含 ${list(c[0])}`, `must not contain ${list(c[0])}`],
  contains: (c) => [`须包含“${String(c[0])}”`, `must contain "${String(c[0])}"`],
  notContains: (c) => [`不能包含“${String(c[0])}”`, `must not contain "${String(c[0])}"`],
  // At least one character is: fill it in (标题须填写, not 标题至少 1 个字符).
  minLength: (c) =>
    Number(c[0]) === 1
      ? ['须填写，不能为空', 'is required and may not be empty']
      : [`至少 ${String(c[0])} 个字符`, `must have at least ${String(c[0])} characters`],
  maxLength: (c) => [`最多 ${String(c[0])} 个字符`, `must have at most ${String(c[0])} characters`],
  isLength: (c) => [
    `长度须为 ${String(c[0])}–${String(c[1] ?? '')} 个字符`,
    `must have ${String(c[0])}–${String(c[1] ?? '')} characters`,
  ],
  matches: () => ['格式不正确，请按接口文档中的格式填写', 'is not in the required format (see the API docs)'],
  isAlpha: () => ['只能含字母', 'must contain only letters'],
  isAlphanumeric: () => ['只能含字母和数字', 'must contain only letters and digits'],
  isAscii: () => ['只能含 ASCII 字符', 'must contain only ASCII characters'],
  isLowercase: () => ['须为小写', 'must be lower case'],
  isUppercase: () => ['须为大写', 'must be upper case'],
  isHexadecimal: () => ['须为十六进制数', 'must be a hexadecimal number'],
  isPhoneNumber: () => ['须为电话号码', 'must be a phone number'],
  isMobilePhone: () => ['须为手机号码', 'must be a mobile phone number'],
  isIp: () => ['须为 IP 地址', 'must be an IP address'],
  isPort: () => ['须为端口号', 'must be a port number'],
  isTimeZone: () => ['须为时区名称，如 Asia/Shanghai', 'must be a time zone, e.g. Asia/Shanghai'],
  nestedValidation: () => ['须为对象或对象列表', 'must be an object or a list of objects'],
  unknownValue: () => ['须为 JSON 对象', 'must be a JSON object'],
};

/** The message of a failed constraint: Chinese first, then English, naming the field. */
export function constraintMessage(
  constraint: string,
  args: Pick<ValidationArguments, 'property' | 'constraints'> & { targetName?: string },
  each = false,
): string | undefined {
  const template = CONSTRAINT_MESSAGES[constraint];
  if (!template) return undefined;
  const [zh, en] = template(args.constraints ?? []);
  const field = fieldLabel(args.property, args.targetName);
  return each
    ? `${field}的每一项${zh}。Each entry of ${args.property} ${en}.`
    : `${field}${zh}。${args.property} ${en}.`;
}

interface Metadata {
  type: string;
  target: unknown;
  propertyName: string;
  constraintCls?: unknown;
  message?: string | ((args: ValidationArguments) => string);
  each?: boolean;
}

/** The name class-validator reports a constraint under (e.g. `maxLength` for @MaxLength()). */
export function constraintName(m: Metadata): string {
  if (m.type !== 'customValidation') return m.type;
  const storage = getMetadataStorage() as unknown as {
    getTargetValidatorConstraints(target: unknown): { name?: string }[];
  };
  return storage.getTargetValidatorConstraints(m.constraintCls)[0]?.name ?? m.type;
}

/** Every validation metadata class-validator holds, for each class that declares a constraint. */
export function allValidationMetadata(): Metadata[] {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<unknown, Metadata[]> };
  return [...storage.validationMetadatas.values()].flat();
}

const INSTALLED = Symbol('chineseMessage');
let installedTargets = -1;

/**
 * Gives every constraint of every class loaded so far a message in Chinese and English naming the field: a
 * constraint without its own message gets the table's; one whose own message does not name the field gets the
 * field's name before it. Constraints outside the table (the project's own, e.g. IsDecimal) keep their own
 * messages, which are written the same way. Cheap to call again (does nothing until new classes load).
 */
export function installValidationMessages(): void {
  // Called before every validation: nothing to do (and nothing flattened) until a class with constraints loads.
  const targets = (getMetadataStorage() as unknown as { validationMetadatas: Map<unknown, Metadata[]> })
    .validationMetadatas.size;
  if (targets === installedTargets) return;
  const all = allValidationMetadata();
  for (const m of all) {
    if ((m as { [INSTALLED]?: true })[INSTALLED]) continue;
    (m as { [INSTALLED]?: true })[INSTALLED] = true;
    if (m.type === 'conditionalValidation' || m.type === 'whitelistValidation') continue;
    const name = constraintName(m);
    const own = m.message;
    const targetName = typeof m.target === 'function' ? (m.target as { name: string }).name : undefined;
    const each = m.each === true;
    if (own === undefined) {
      if (!CONSTRAINT_MESSAGES[name]) continue;
      m.message = (args) => constraintMessage(name, { ...args, targetName }, each) ?? '';
    } else {
      m.message = (args) => {
        const text = typeof own === 'function' ? own(args) : own;
        if (!text.includes(args.property)) return `${fieldLabel(args.property, targetName)}：${text}`;
        // A message that begins with the bare name (`deficiencies 最多 100 项`) begins with its label too.
        const label = fieldLabel(args.property, targetName);
        const bare = new RegExp(`^${args.property} ?(?![\\w.])`);
        return label !== args.property && bare.test(text) ? text.replace(bare, label) : text;
      };
    }
  }
  installedTargets = targets;
}
