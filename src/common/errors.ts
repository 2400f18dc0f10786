import { HttpException } from '@nestjs/common';

/**
 * Every error code the API answers with. The code is stable (clients branch on it); the
 * message says, in Chinese and English, what happened and what to do about it. One table for the whole API, so
 * over 400 lines by nature: a code is found, and kept unique, in one place.
 */
export const ERRORS = {
  VALIDATION_FAILED: [
    400,
    '提交的内容有误，请按 details 中列出的每一项修改后重新提交。The request has invalid fields; correct every field listed in details and send it again.',
  ],
  MALFORMED_JSON: [
    400,
    '请求内容不是有效的 JSON，请检查格式。The request body is not valid JSON; check its syntax.',
  ],
  JSON_TOO_DEEP: [
    400,
    '请求内容嵌套层数过多，请简化后重新提交。The request body is nested too deeply; flatten it and send it again.',
  ],
  BODY_NOT_UTF8: [
    400,
    '请求内容须为 UTF-8 编码的 JSON（收到的内容不是 UTF-8，可能是 GBK 等编码），请改用 UTF-8 后重新提交。The request body must be JSON in UTF-8; send it again in UTF-8.',
  ],
  JSON_TOO_MANY_KEYS: [
    400,
    '请求内容中的一个对象字段过多，请检查后重新提交。An object in the request body has too many keys; check it and send it again.',
  ],
  JSON_KEY_NOT_ALLOWED: [
    400,
    '请求内容含有不允许的键名（__proto__ 或 constructor.prototype），请删去后重新提交。The request body has a key that is not allowed (__proto__ or constructor.prototype); remove it and send it again.',
  ],
  BAD_REQUEST: [400, '请求无法处理，请检查后重试。The request cannot be processed; check it and try again.'],
  BAD_URL: [
    400,
    '请求地址含有无效的编码（如不完整的 % 转义），请检查地址。The address contains invalid encoding (e.g. a broken % escape); check it.',
  ],
  URL_NOT_ENCODED: [
    400,
    '请求地址含有未经编码的字符（如中文、空格）。请先对地址中的查询条件做 URL 编码（百分号编码，例如 encodeURIComponent("幸福社区")）再发送；details 指出了是哪一部分。The address contains characters that are not URL-encoded (such as Chinese or spaces); percent-encode the query (e.g. encodeURIComponent) and send it again; details names the part.',
  ],
  REQUEST_TIMEOUT: [
    408,
    '请求未能在规定时间内发送完毕，请检查网络后重试。The request did not arrive in time; check the network and try again.',
  ],
  URI_TOO_LONG: [
    414,
    '请求地址过长，请缩短查询条件后重试。The address is too long; shorten the query and try again.',
  ],
  HEADERS_TOO_LARGE: [
    431,
    '请求头过大，请清除浏览器中本站的 Cookie 或缩短请求头后重试。The request headers are too large; clear this site’s cookies or send smaller headers.',
  ],
  AUTH_REQUIRED: [401, '请先登录。Please log in first (send the access token as "Authorization: Bearer …").'],
  TOKEN_INVALID: [401, '登录凭证无效，请重新登录。The access token is not valid; please log in again.'],
  TOKEN_EXPIRED: [401, '登录已过期，请重新登录。Your session has expired; please log in again.'],
  LOGIN_FAILED: [
    401,
    '用户名或密码不正确。连续多次输错后账号将被临时锁定，锁定期间即使密码正确也无法登录，到期自动解锁（也可请安全管理员解锁）。Wrong username or password. After repeated failures the account is locked for a while: even the right password is refused until the lock ends by itself (or the security administrator unlocks it).',
  ],
  LOGIN_THROTTLED: [
    429,
    '从您的网络地址登录失败次数过多，请在 Retry-After 所示的秒数之后再试。Too many failed logins from your network address; try again after the number of seconds in Retry-After.',
  ],
  ACCOUNT_DISABLED: [
    403,
    '账号已停用，请联系系统管理员。The account is disabled; contact the system administrator.',
  ],
  FORBIDDEN: [
    403,
    '您的岗位没有这项操作权限。如需办理，请联系有权限的人员。Your role does not allow this action; ask someone who holds the permission.',
  ],
  ROLE_CONFLICT: [
    409,
    '系统管理员、安全管理员、审计员三个角色不得由同一账号兼任（三员分立）。System admin, security admin and auditor must be held by separate accounts.',
  ],
  IDEMPOTENCY_KEY_REUSED: [
    409,
    '该幂等键已用于另一笔划转登记（社区、金额、账户或凭证号不同），请为这笔划转换一个新的键。This idempotency key already stands for another transfer (another community, amount, account or reference); use a new key for this one.',
  ],
  PASSWORD_WRONG: [400, '当前密码不正确，请重新输入。The current password is not right; type it again.'],
  ADMIN_ACCOUNT_PROTECTED: [
    403,
    '三员分立：不能设置系统管理员、安全管理员、审计员账号（包括本人）的密码；这三种角色只能授予已由本人设置过密码的账号（请账号本人先登录修改密码）。Separation of duties: you cannot set the password of a system admin, security admin or auditor account (your own included), and those roles go only to an account whose holder has set its password (ask them to log in and change it first).',
  ],
  UNIT_NOT_FOUND: [
    404,
    '找不到该单位，或您无权查看。The organization unit does not exist or is not visible to you.',
  ],
  USER_NOT_FOUND: [404, '找不到该用户，或您无权查看。The user does not exist or is not visible to you.'],
  LEADING_GROUP_NOT_FOUND: [
    404,
    '找不到该领导小组，或您无权查看。The leading group does not exist or is not visible to you.',
  ],
  UNIT_CODE_TAKEN: [409, '单位编码已被使用，请换一个编码。The unit code is already in use; choose another.'],
  USERNAME_TAKEN: [409, '用户名已被使用，请换一个用户名。The username is already in use; choose another.'],
  UNIT_PARENT_INVALID: [
    400,
    '上级单位不符合层级关系（市→区/县→街道→社区；部门、领导小组在市或区级）。The parent unit does not fit the hierarchy (city → district → street → community; departments and leading groups at city or district level).',
  ],
  UNIT_HAS_CHILDREN: [
    409,
    '该单位下还有下级单位或用户，不能停用。先调整下级单位和用户。The unit still has active sub-units or users; move or disable them first.',
  ],
  MEMBER_COUNTERSIGN_OPEN: [
    409,
    '该成员单位尚有未办结的会签，暂不能移出领导小组。请待会签办结后再调整成员。The member unit still has an open countersign; remove it from the leading group once that is done.',
  ],
  CONCURRENT_UPDATE: [
    409,
    '该记录刚被其他人修改，请刷新后重试。Someone else changed this record just now; reload it and try again.',
  ],
  PROCESS_NOT_FOUND: [404, '找不到该流程或流程版本。The process or process version does not exist.'],
  PROCESS_NOT_STARTABLE: [
    403,
    '该流程只能由业务办理发起（如提交准入申请），不能由管理员直接发起。This process starts only from its own business action (e.g. submitting an application), not by an administrator.',
  ],
  INSTANCE_NOT_FOUND: [404, '找不到该办件，或您无权查看。The case does not exist or is not visible to you.'],
  TASK_NOT_FOUND: [404, '找不到该待办事项，或您无权查看。The task does not exist or is not visible to you.'],
  TASK_NOT_YOURS: [
    403,
    '该事项不在您的办理范围内，或已由他人认领。请刷新待办列表。This task is not yours to act on, or someone else has claimed it; reload your inbox.',
  ],
  TASK_NOT_OPEN: [409, '该事项已办结或已撤销，无需再办。This task is already completed or cancelled.'],
  TASK_ALREADY_CLAIMED: [409, '该事项已被他人认领。This task has already been claimed by someone else.'],
  TASK_WAITING_FOR_SIGNERS: [
    409,
    '加签人尚未全部签署，暂不能办结本事项。The added signers have not all signed yet.',
  ],
  DECISION_NOT_ALLOWED: [
    400,
    '该环节不接受这个办理意见，请从 details 列出的选项中选择。This step does not accept that decision; choose one listed in details.',
  ],
  DEFICIENCIES_REQUIRED: [
    400,
    '退回时须一次性列明全部问题（一次告知）。List every deficiency when returning (tell everything at once).',
  ],
  WITHDRAW_NOT_POSSIBLE: [
    409,
    '下一环节已经开始办理，或该步骤已产生对外结果，不能撤回。The next step has already been acted on, or the step had effects outside the case; it cannot be withdrawn.',
  ],
  INSTANCE_NOT_ACTIVE: [
    409,
    '该办件已挂起、办结或终止，不能办理。The case is suspended, finished or terminated.',
  ],
  CASE_NOT_TERMINABLE: [
    409,
    '该办件所涉事项已准入，其经费期限和到期退出由流程计时，不能终止；如需提前结束，请提出退出（退出申请）。The item of this case is admitted and its funding window and end are timed by the case: it cannot be terminated; propose an exit instead.',
  ],
  INCIDENT_NOT_FOUND: [404, '找不到该异常记录。The incident does not exist.'],
  APPLICATION_NOT_FOUND: [
    404,
    '找不到该准入申请，或您无权查看。The application does not exist or is not visible to you.',
  ],
  APPLICATION_NOT_EDITABLE: [
    409,
    '申请已提交审查，现在不能修改；被退回后可补正。The application is under review and cannot be changed now; it can be corrected once returned.',
  ],
  APPLICATION_INCOMPLETE: [
    400,
    '申请表尚不完整或有误，details 中列出了全部需要补正的项目，请一次改完后提交。The application is incomplete or has errors; details lists every item to correct.',
  ],
  APPLICATION_NOT_SUBMITTABLE: [
    409,
    '该申请当前不能提交（已在审查中或已办结）。The application cannot be submitted now (it is under review or finished).',
  ],
  APPLICATION_NOT_WITHDRAWABLE: [
    409,
    '该申请当前不能撤回：只有审核中或退回补正、尚未作出决定的申请可以撤回（草稿无需撤回，可不提交）。Only an application under review or returned for correction, not yet decided, can be withdrawn (a draft needs none: leave it unsubmitted).',
  ],
  APPLICATION_DECISION_PENDING: [
    409,
    '上一环节已办结，系统正在登记办理结果（登记失败的由领导小组办公室重试），此时不能撤回；请稍后刷新查看结果。The last step is done and its result is still being recorded (the office retries one that failed): the application cannot be withdrawn now.',
  ],
  FINDINGS_UNRESOLVED: [
    409,
    '自动审查有未解决的不通过项（见 details），不能同意：请退回申请部门补正，或对每一项书面说明理由予以放行（命中负面清单的只能由主要领导放行）。Failing automatic checks are unresolved (listed in details), so it cannot be approved: return it to the department for correction, or override each with a written reason (a negative-list hit only by the principal leader).',
  ],
  FINDING_NOT_FOUND: [
    404,
    '该申请没有这一审查项，请按申请中 findings 的 code 填写。The application has no finding with this code; use a code from its findings.',
  ],
  FINDING_NOT_FAILING: [
    409,
    '该审查项未判定为不通过，无需放行。The finding did not fail; there is nothing to override.',
  ],
  FINDING_ALREADY_OVERRIDDEN: [
    409,
    '该审查项已书面说明理由予以放行，不能重复放行。The finding has already been overridden with a reason.',
  ],
  FINDING_OVERRIDE_LEADER_ONLY: [
    403,
    '命中负面清单的事项只能由本级主要领导书面说明理由后放行；办公室可退回部门或不予准入，或报请主要领导决定。Only the principal leader may override a negative-list hit, with a written reason; the office may return or reject the application, or refer it to the leader.',
  ],
  FINDING_OVERRIDE_NOT_ALLOWED: [
    403,
    '只有本级领导小组办公室或主要领导可以放行不通过的审查项。Only the office of the leading group of this level or its principal leader may override a failing finding.',
  ],
  FINDING_OVERRIDE_NOT_NOW: [
    409,
    '只能在办公室范围审查至主要领导签批之间放行审查项；申请已退回的请待部门补正后重新审查。A finding can be overridden only between the office’s scope review and the leader’s signature; a returned application is checked again once corrected.',
  ],
  ADMITTED_ITEM_NOT_FOUND: [404, '找不到该准入事项。The admitted item does not exist.'],
  COMMUNITY_NOT_FOUND: [
    404,
    '找不到代码或名称与之相符的社区，请核对社区名称（可只输入其中几个字）或代码后重试。No community has this code or a name containing this text; check the name (a part of it will do) or the code and try again.',
  ],
  STAMP_ENTRY_BACKDATED: [
    409,
    '新版本的生效日期不能早于该事项上一版本的生效日期（已作出的答复不能改变），请改为上一版本生效日当天或之后。A new version of a stamp entry cannot take effect before the previous version did; past answers must not change.',
  ],
  STAMP_ENTRY_VERSION_CONFLICT: [
    409,
    '该证明事项刚刚被他人修改，请刷新后在最新版本上重新修改。The stamp entry was changed at the same time; reload it and make the change on its latest version.',
  ],
  // The committee's stamp log (用印登记, src/stamps/stamp-log*).
  STAMP_PROHIBITED: [
    409,
    '该证明事项在禁止社区出具的清单中，不能盖章，也不能登记。请告知办事人向负责该事项的部门办理。The certificate is on a list committees must not issue: it may not be stamped or recorded.',
  ],
  STAMP_LOG_NOT_FOUND: [404, '找不到该用印登记。The stamp log entry does not exist.'],
  STAMP_LOG_ALREADY_VOIDED: [
    409,
    '该用印登记已经作废，不能再作废或更正。The stamp log entry is already voided; it cannot be voided or corrected again.',
  ],
  STAMP_HANDLER_NOT_AUTHORISED: [
    400,
    '经办人和审批人须为本社区用印人员名单中的两名不同成员；临时工作人员不能经办或审批用印。请在“用印人员”中核对名单。The handler and the approver must be two different members on this community’s stamp roster; temporary staff may not stamp.',
  ],
  STAMP_MEMBER_NOT_FOUND: [
    404,
    '找不到本社区的该账号，或该账号不在用印人员名单中。No such account of this community, or it is not on the stamp roster.',
  ],
  STAMP_ROSTER_MEMBERS_ONLY: [
    403,
    '用印人员名单已建立，只有名单中的成员可以调整名单。Once the stamp roster has members, only they may change it.',
  ],
  // Stamp-list changes as an approval flow (src/stamps/stamp-proposals.service.ts).
  STAMP_LIST_EXISTS: [
    409,
    '该范围内已有文号相同的同类清单（可能刚由另一份调整发布），不能再新建。请驳回本调整；要增加事项，请重新导入文件或向该清单增加事项。A list of this type with this document number already exists in this scope (perhaps just published by another proposal); reject this one and add entries to that list instead.',
  ],
  STAMP_LIST_NOT_FOUND: [
    404,
    '找不到该盖章证明事项清单，请从清单页面重新选择。No stamp list has this key; choose it again from the lists.',
  ],
  STAMP_ENTRY_NOT_FOUND: [
    404,
    '找不到该证明事项，请从清单页面重新选择。No stamp entry has this key; choose it again from its list.',
  ],
  STAMP_RETIREMENT_BEFORE_START: [
    400,
    '废止（最后有效日）不能早于该事项或清单当前版本的生效日期，请改为生效日当天或之后。A retirement’s last day cannot fall before the current version takes effect.',
  ],
  STAMP_ALREADY_RETIRED: [
    409,
    '该事项或清单已于此日或更早废止，无需再废止。The entry or list already ends on or before that day.',
  ],
  STAMP_PROPOSAL_NOT_FOUND: [404, '找不到该清单调整。The stamp-list proposal does not exist.'],
  STAMP_PROPOSAL_OUT_OF_SCOPE: [
    403,
    '只能调整本级范围内的清单：区领导小组办公室调整本区清单，市领导小组办公室调整本市清单，并可依上级文件录入国家和本省的清单。A district office changes its district’s lists; the city office its city’s, and enters national and provincial lists citing their document.',
  ],
  // Stamp list imports (issue 13 §5): CSV/XLSX files checked in a dry run, the good rows proposed.
  STAMP_IMPORT_TOO_LARGE: [
    413,
    '导入文件过大：文件不得超过 2 MB，行数不得超过 5000 行，请拆分后分别导入。The import file is too large (at most 2 MB and 5,000 rows); split it and import the parts.',
  ],
  STAMP_IMPORT_TOO_COMPLEX: [
    413,
    '导入的 Excel 工作簿过于复杂，未能在规定的时间和内存内读完（常见原因：大量单元格格式、批注、富文本或多余的工作表）。请把要导入的表格复制到新建的工作簿（只保留一张表、只粘贴数值），或另存为 CSV 后再导入。The workbook is too complex to read within the time and memory allowed (many formats, comments, rich text or extra sheets); copy the table into a new workbook (one sheet, values only) or save it as CSV and import again.',
  ],
  STAMP_IMPORT_BUSY: [
    503,
    '其他导入文件正在读取，请稍等一分钟后再导入。Other import files are being read; wait a minute and import again.',
  ],
  STAMP_IMPORT_TYPE_NOT_ALLOWED: [
    415,
    '只能导入 CSV（UTF-8 或 GBK/GB18030 编码）或 Excel（.xlsx）文件，且文件内容须与扩展名一致；旧版 .xls 请在 Excel 中另存为 .xlsx。Only CSV (UTF-8 or GBK/GB18030) and Excel .xlsx files can be imported, and the content must match the extension; save an old .xls as .xlsx first.',
  ],
  STAMP_IMPORT_FILE_INVALID: [
    400,
    '导入文件无法读取：details 列出了问题（如缺少必填列、没有数据行），请改正后重新导入。The import file cannot be read; details lists the problems (a required column missing, no data rows); correct them and import again.',
  ],
  STAMP_IMPORT_NOT_FOUND: [
    404,
    '找不到该导入记录，或您无权查看。The import does not exist or is not visible to you.',
  ],
  STAMP_IMPORT_ALREADY_PROPOSED: [
    409,
    '该导入已提交审批，不能重复提交；如需再次导入，请重新上传文件。This import was already proposed; upload the file again for a new import.',
  ],
  STAMP_IMPORT_NOTHING_TO_PROPOSE: [
    400,
    '该导入没有可提交的新增或变更事项（各行均为无变化或未通过检查），无需提交审批。The import has nothing to propose: every row is unchanged or rejected.',
  ],
  STAMP_IMPORT_SEVERAL_SCOPES: [
    400,
    '一次审批只能调整一个适用范围的清单，而本次导入的有效行涉及多个范围（见 details），请按适用范围拆分文件后分别导入。A proposal changes the lists of one scope, and this import’s good rows span several (see details); split the file by scope and import each part.',
  ],
  STAMP_IMPORT_STALE: [
    409,
    '预检后清单已有变化，预检结果已不准确，请重新上传文件预检后再提交。The registry changed since the dry run, so its report is out of date; upload the file again and propose the new report.',
  ],
  // Sample forms (证明式样) of stamp-list entries (issue 13 §1).
  STAMP_SAMPLE_FORM_TOO_LARGE: [
    413,
    '证明式样文件过大，请压缩后重新上传（大小上限见 details 中的 maxBytes）。The sample form is too large (see maxBytes in details); compress it and upload it again.',
  ],
  STAMP_SAMPLE_FORM_TYPE_NOT_ALLOWED: [
    415,
    '证明式样只接受 PDF、PNG、JPEG 文件，且文件内容须与类型一致；Word 文件请先另存为 PDF。Only PDF, PNG and JPEG sample forms are accepted, and the content must match the type; save a Word file as PDF first.',
  ],
  STAMP_SAMPLE_FORM_NOT_FOUND: [
    404,
    '找不到该证明式样，或它所属的清单调整尚未发布。The sample form does not exist or is not published yet.',
  ],
  TRANSFER_NOT_FOUND: [
    404,
    '找不到该经费划转记录，或不在您的确认范围内。The transfer does not exist or is not yours to confirm.',
  ],
  FUNDING_NOT_DUE: [
    409,
    '该社区无需或已不能划转经费（无经费、已到位或已失效）。No funding is due for this community (none required, already confirmed, or lapsed).',
  ],
  FUNDING_AMOUNT_MISMATCH: [
    400,
    '划转金额须与批准的每社区经费一致（以分计）。The amount must equal the approved funding per community, in fen.',
  ],
  FUNDING_LAPSED: [
    409,
    '经费划转期限已过，该社区的准入已失效，不能再确认。The funding window has closed and the item lapsed in this community.',
  ],
  EXIT_ALREADY_PROPOSED: [
    409,
    '该事项已有正在办理的退出申请。An exit proposal for this item is already open.',
  ],
  ITEM_NOT_IN_FORCE: [
    409,
    '该事项在此社区不在实施期内（未准入、已失效或已退出）。The item is not in force in this community (not entered, lapsed or exited).',
  ],
  EVALUATION_NOT_IN_FORCE: [
    400,
    '只能评议今天在本社区实施的事项，且评议期间须已开始、事项在该期间在本社区实施过；请按 details 所列修改事项或评议期间。Residents can evaluate only an item in force in their community today, for a period that has begun and in which the item was in force there; correct the item or the period listed in details.',
  ],
  ATTACHMENT_TOO_LARGE: [
    413,
    '附件过大，请压缩或拆分后上传。The attachment is too large; compress or split it.',
  ],
  ATTACHMENT_TYPE_NOT_ALLOWED: [
    415,
    '只接受 PDF、JPEG、PNG、Word（docx）、Excel（xlsx）附件，且内容须与类型一致。Only PDF, JPEG, PNG, docx and xlsx files are accepted, and the content must match the type.',
  ],
  ATTACHMENT_NOT_FOUND: [404, '找不到该附件。The attachment does not exist.'],
  CALENDAR_CSV_INVALID: [
    400,
    '工作日历文件有误，未导入任何一天。details 按行号列出了全部问题，请一次改完后重新导入。The work-calendar file has errors and nothing was imported; details lists every problem by line number, correct them all and import again.',
  ],
  // Dispatch (派单) and the committee's received work (issue 14).
  DISPATCH_NOT_FOUND: [
    404,
    '找不到该派单，或您无权查看。The dispatched work does not exist or is not visible to you.',
  ],
  DISPATCH_COMMUNITY_NOT_FOUND: [
    404,
    '这项派单没有派往所选的社区，请从这项派单的社区列表中选择。The work was not sent to this community; choose one of the communities it was sent to.',
  ],
  RECEIVED_WORK_NOT_FOUND: [
    404,
    '找不到该项收到的工作，或您无权查看。The received piece of work does not exist or is not visible to you.',
  ],
  DISPATCH_ALREADY_ACCEPTED: [409, '这项工作已经接收过了。This piece of work was already accepted.'],
  DISPATCH_ALREADY_DONE: [
    409,
    '这项工作已标记办结，不能再接收、拒绝或撤回。This piece of work is already marked done; it cannot be accepted, refused or withdrawn.',
  ],
  DISPATCH_ALREADY_REFUSED: [
    409,
    '这项工作已经拒绝过了，不能再接收、办结或拒绝。This piece of work was already refused.',
  ],
  DISPATCH_WITHDRAWN: [
    409,
    '派单部门已撤回这项工作，无需再处理。The department withdrew this piece of work; there is nothing to do.',
  ],
  DISPATCH_ALREADY_WITHDRAWN: [
    409,
    '这项工作已经撤回过了（或没有可撤回的社区）。This work was already withdrawn (no community is left to withdraw it from).',
  ],
  DISPATCH_NOTHING_TO_WITHDRAW: [
    409,
    '各社区都已办结或已撤回这项工作，没有可撤回的社区。Every community has done or been withdrawn from this work; nothing is left to withdraw (details: how many of each).',
  ],
  DISPATCH_DISPUTE_SUSPENDED: [
    409,
    '这项工作的拒绝争议已被区领导小组办公室挂起，暂不能撤回；请待办公室恢复该争议后再撤回。The dispute over this piece is suspended by the district office; withdraw it once the office resumes the case.',
  ],
  DISPUTE_WORK_WITHDRAWN: [
    409,
    '这项工作已由本部门撤回，无需再提出异议；如仍需社区办理，请先申请准入后重新派发。This work was withdrawn by your department; there is nothing to contest.',
  ],
  DISPUTE_NOT_REFUSED: [
    409,
    '只有社区已拒绝的工作才能提出异议。Only a refused piece of work can be contested.',
  ],
  DISPUTE_ALREADY_OPEN: [
    409,
    '该拒绝已在协调中，请等待街道办事处或区领导小组办公室的处理结果。This refusal is already being contested; wait for the street office or the district office.',
  ],
  DISPUTE_ALREADY_RULED: [
    409,
    '该拒绝争议已有结论，不能再次提出异议或拒绝。This dispute has been ruled; it cannot be contested or refused again.',
  ],
  DISPUTE_NOT_FOUND: [
    404,
    '找不到该拒绝争议，或您无权查看。The contested refusal does not exist or is not visible to you.',
  ],
  DISPATCH_IDEMPOTENCY_KEY_REUSED: [
    409,
    '该幂等键已用于另一项派单（内容、截止日期或对象不同），请为这项派单换一个新的键。This idempotency key already stands for another dispatch; use a new key.',
  ],
  NOT_FOUND: [404, '找不到您要的资源，请检查地址。The resource does not exist; check the address.'],
  METHOD_NOT_ALLOWED: [405, '该地址不支持此操作。This address does not support this method.'],
  PAYLOAD_TOO_LARGE: [
    413,
    '提交的内容过大，请精简后重试。The request body is too large; make it smaller and try again.',
  ],
  UNSUPPORTED_MEDIA_TYPE: [
    415,
    '请以 JSON 格式提交（Content-Type: application/json）。Send the body as JSON (Content-Type: application/json).',
  ],
  TOO_MANY_REQUESTS: [429, '请求过于频繁，请稍后再试。Too many requests; wait a moment and try again.'],
  DATABASE_UNAVAILABLE: [
    503,
    '数据库暂时不可用，请稍后再试；如持续出现请联系系统管理员。The database is unavailable; try again later and tell the system administrator if it persists.',
  ],
  INTERNAL_ERROR: [
    500,
    '系统内部错误，已记录。请稍后重试，或将请求编号告知系统管理员。An internal error occurred and was logged; try again later or give the request id to the system administrator.',
  ],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** The one exception type services throw: a stable code, its status and message, optional details. */
export class AppError extends HttpException {
  constructor(
    readonly code: ErrorCode,
    readonly details?: unknown,
    message?: string,
  ) {
    super({ code, message: message ?? ERRORS[code][1], details }, ERRORS[code][0]);
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string };
}
