import { formatChinaDate } from '../common/china-time.js';
import {
  escapeHtml,
  formatYuan,
  renderApplicationForm,
  type ApplicationFormData,
  type FormOpinion,
} from './application-form.js';
import { ApplicationKind } from './admission-application.entity.js';

const HOSTILE = `<script>alert("x")</script>&"'`;

function opinion(over: Partial<FormOpinion> = {}): FormOpinion {
  return {
    step: null,
    decision: 'approve',
    comment: '同意',
    deficiencies: [],
    person: '李健（区卫健委负责人）',
    unit: '东湖区卫生健康委员会',
    at: new Date('2026-11-30T16:30:00Z'), // 2026-12-01 00:30 in Asia/Shanghai
    addedSigner: false,
    ...over,
  };
}

function data(
  over: Partial<ApplicationFormData['application']> = {},
  more: Partial<ApplicationFormData> = {},
) {
  const d: ApplicationFormData = {
    application: {
      id: '00000000-0000-4000-8000-000000000001',
      status: 'admitted',
      kind: ApplicationKind.REPORT,
      title: '社区慢病随访',
      content: '慢病患者每月随访一次。',
      legalBasisDocument: '国卫基层发〔2025〕1号',
      legalBasisArticle: '第三条',
      statutoryArea: 'public_health',
      targetScope: 'list',
      authorizedContent: '随访、登记',
      targetPopulation: '慢病患者',
      powers: '登记',
      startDate: '2027-06-01',
      endDate: '2027-12-31',
      workloadHoursPerMonth: '6.5',
      frequency: '每月一次',
      fundingPerCommunityFen: '1234567',
      fundingSource: '区财政专项',
      supportOffered: '派员培训',
      contactName: '张卫',
      contactPhone: '0571-88888888',
      reportFields: ['姓名', '血压'],
      noticeWorkingDays: 10,
      findings: [
        {
          check: 'statutory-scope',
          result: 'pass',
          message: '属于法定协助领域：公共卫生。Within a statutory area.',
        },
        {
          check: 'lead-time',
          result: 'fail',
          message: '距开始日期不足 20 个工作日。',
          code: 'lead-time',
          override: {
            role: 'office',
            userId: '00000000-0000-4000-8000-000000000001',
            displayName: '王民',
            unitId: '00000000-0000-4000-8000-000000000002',
            unitName: '区领导小组办公室',
            reason: '疫情防控急需',
            at: '2026-11-30T16:10:00Z',
          },
        },
      ],
      decisionReason: null,
      withdrawalReason: null,
      submittedAt: new Date('2026-11-20T02:00:00Z'),
      createdAt: new Date('2026-11-19T02:00:00Z'),
      ...over,
    },
    applicantUnitName: '东湖区卫生健康委员会',
    leadingGroupName: '东湖区社区建设工作领导小组',
    createdByName: '张卫（区卫健委经办人）',
    statutoryAreaName: '公共卫生',
    targetUnitName: null,
    targetCommunityNames: ['杏花社区', '桃园社区'],
    communityCount: 2,
    regularizesItemNumber: null,
    admissionNumber: '〔2026〕第1号',
    attachments: [{ fileName: '依据文件.pdf', sizeBytes: 1024 }],
    department: [opinion()],
    office: [
      opinion({
        step: '完整性审查',
        decision: 'return',
        deficiencies: ['缺少联系电话', { field: 'powers', problem: '权限不明确' }],
        person: '王民（区领导小组办公室）',
        unit: '东湖区社区建设工作领导小组办公室',
      }),
      opinion({ step: '范围与重复审查', person: '王民（区领导小组办公室）' }),
    ],
    members: [
      { unitName: '东湖区公安分局', opinions: [opinion({ person: '刘安（区公安分局）' })] },
      { unitName: '东湖区财政局', opinions: [] },
    ],
    leader: [opinion({ person: '孙正（区领导小组组长）', comment: '同意准入' })],
    printedAt: new Date('2026-12-01T02:00:00Z'),
    ...more,
  };
  return d;
}

describe('the printable 社区工作准入审批表', () => {
  it('given amounts in fen, then they print as yuan with the fen exact and thousands grouped', () => {
    expect(formatYuan('1234567')).toBe('12,345.67元');
    expect(formatYuan('0')).toBe('0.00元');
    expect(formatYuan('5')).toBe('0.05元');
    expect(formatYuan('100000000')).toBe('1,000,000.00元');
    // Beyond a double's exact integers: still exact.
    expect(formatYuan('900719925474099301')).toBe('9,007,199,254,740,993.01元');
  });

  it('given days and instants, then they print as 2026年12月1日 in Asia/Shanghai', () => {
    expect(formatChinaDate('2026-12-01')).toBe('2026年12月1日');
    expect(formatChinaDate('2027-06-30')).toBe('2027年6月30日');
    // 16:30 UTC on 30 November is half past midnight on 1 December in China.
    expect(formatChinaDate(new Date('2026-11-30T16:30:00Z'))).toBe('2026年12月1日');
    expect(formatChinaDate(new Date('2026-11-30T15:59:59Z'))).toBe('2026年11月30日');
  });

  it('given a value with markup and quotes, then every character that matters is escaped', () => {
    expect(escapeHtml(HOSTILE)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&quot;&#39;');
    const hostile = data(
      {
        title: HOSTILE,
        content: HOSTILE,
        powers: HOSTILE,
        contactName: HOSTILE,
        reportFields: [HOSTILE],
        findings: [{ check: 'negative-list', result: 'fail', message: HOSTILE }],
      },
      {
        applicantUnitName: HOSTILE,
        targetCommunityNames: [HOSTILE],
        attachments: [{ fileName: HOSTILE, sizeBytes: 1 }],
        department: [opinion({ comment: HOSTILE, person: HOSTILE, unit: HOSTILE, deficiencies: [HOSTILE] })],
        members: [{ unitName: HOSTILE, opinions: [] }],
      },
    );
    const html = renderApplicationForm(hostile);
    expect(html).not.toContain('<script');
    expect(html).not.toContain(`"x"`);
    expect(html).not.toContain(`&"'`);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&quot;&#39;');
    // Every hostile value came through escaped (title twice: the page's title and the form's field).
    const count = html.split('&lt;script&gt;').length - 1;
    expect(count).toBeGreaterThanOrEqual(13);
  });

  it('given a form, then it is a self-contained A4 page in Chinese with no script and no external resource', () => {
    const html = renderApplicationForm(data());
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="zh-CN">/);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('@page { size: A4;');
    expect(html).toMatch(/font-family: "SimSun", "宋体"[^;]*serif;/);
    expect(html).toContain('border-collapse: collapse');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|href=|url\(|@import|https?:/i);
  });

  it('given a complete application, then every field of the form is there with its label and value', () => {
    const html = renderApplicationForm(data());
    const labels = [
      '社区工作准入审批表',
      '受理机关',
      '准入编号',
      '申请单位',
      '提交日期',
      '事项名称',
      '事项类型',
      '办理状态',
      '事项内容',
      '法律政策依据',
      '法定协助领域',
      '实施范围',
      '授权内容',
      '工作对象',
      '授予权限',
      '实施期限',
      '工作频次',
      '预计工作量',
      '派单提前期',
      '经费标准',
      '经费来源',
      '部门提供的支持',
      '需社区填报的字段',
      '联系人',
      '联系电话',
      '填表人',
      '附件',
      '自动审查结果',
      '部门意见',
      '办公室意见',
      '会签意见',
      '主要领导签批',
    ];
    expect(labels.filter((l) => !html.includes(l))).toEqual([]);
    const values = [
      '东湖区社区建设工作领导小组',
      '〔2026〕第1号',
      '2026年11月20日',
      '社区慢病随访',
      '报表台账',
      '已准入',
      '慢病患者每月随访一次。',
      '国卫基层发〔2025〕1号 第三条',
      '公共卫生',
      '杏花社区、桃园社区',
      '随访、登记',
      '慢病患者',
      '2027年6月1日 至 2027年12月31日',
      '每月一次',
      '每个社区每月约 6.5 小时',
      '10 个工作日',
      '每个社区 12,345.67元，2个社区合计 24,691.34元',
      '区财政专项',
      '派员培训',
      '姓名、血压',
      '张卫',
      '0571-88888888',
      '张卫（区卫健委经办人）',
      '依据文件.pdf',
    ];
    expect(values.filter((v) => !html.includes(v))).toEqual([]);
  });

  it('given the findings, then each prints with its check and result in Chinese, and an override with who, when and why', () => {
    const html = renderApplicationForm(data());
    expect(html).toContain('法定协助范围');
    expect(html).toContain('通过');
    expect(html).toContain('提前申请期限');
    expect(html).toContain('不通过');
    expect(html).toMatch(/领导小组办公室王民（区领导小组办公室）于2026年12月1日[^<]*理由：疫情防控急需/);
  });

  it('given the reviews, then each box shows the decision, comment, deficiencies, person, unit and date', () => {
    const html = renderApplicationForm(data());
    expect(html).toContain('【完整性审查】退回补正');
    expect(html).toContain('<li>缺少联系电话</li>');
    expect(html).toContain('<li>powers：权限不明确</li>');
    expect(html).toContain('【范围与重复审查】同意');
    expect(html).toContain('孙正（区领导小组组长）');
    expect(html).toContain('同意准入');
    expect(html).toContain('<span class="date">2026年12月1日</span>');
    // One row per member unit, an empty one still to sign.
    expect(html).toContain('<th rowspan="2">成员单位<br>会签意见</th>');
    expect(html).toContain('<td class="member-unit">东湖区公安分局</td>');
    expect(html).toContain('<td class="member-unit">东湖区财政局</td>');
    expect(html).toContain('（待会签）');
  });

  it('given statuses and kinds, then they print in Chinese', () => {
    const cases: [string, string][] = [
      ['draft', '草稿（未提交）'],
      ['in_review', '审批中'],
      ['returned', '退回补正'],
      ['rejected', '不予准入'],
      ['awaiting_funding', '已签批，待经费到位'],
      ['withdrawn', '已撤回'],
    ];
    for (const [status, zh] of cases)
      expect(renderApplicationForm(data({ status: status as never }))).toContain(`<td>${zh}</td>`);
    const kinds: [ApplicationKind, string][] = [
      [ApplicationKind.TASK, '工作任务'],
      [ApplicationKind.MEETING, '会议'],
      [ApplicationKind.ORGANIZATION, '组织机构挂牌'],
      [ApplicationKind.ASSESSMENT, '考评检查'],
      [ApplicationKind.STAMP, '盖章证明'],
      [ApplicationKind.APP, '政务应用/账号'],
    ];
    for (const [kind, zh] of kinds) expect(renderApplicationForm(data({ kind }))).toContain(`<td>${zh}</td>`);
  });

  it('given a withdrawn application, then its department’s reason prints (escaped), and on no other status', () => {
    const html = renderApplicationForm(data({ status: 'withdrawn', withdrawalReason: `不再申请${HOSTILE}` }));
    expect(html).toContain('<th>撤回原因</th>');
    expect(html).toContain(`不再申请${escapeHtml(HOSTILE)}`);
    expect(html).not.toContain('<script>');
    expect(
      renderApplicationForm(data({ status: 'in_review', withdrawalReason: '草稿时的原因' })),
    ).not.toContain('撤回原因');
  });

  it('given a draft for every community of a street, then the scope names the street and nothing is invented', () => {
    const html = renderApplicationForm(
      data(
        {
          status: 'draft',
          targetScope: 'all',
          submittedAt: null,
          fundingPerCommunityFen: '0',
          findings: [],
        },
        {
          targetUnitName: '东华街道',
          targetCommunityNames: [],
          communityCount: 3,
          admissionNumber: null,
          department: [],
          office: [],
          members: [],
          leader: [],
        },
      ),
    );
    expect(html).toContain('东华街道所辖全部社区');
    expect(html).toContain('每个社区 0.00元，3个社区合计 0.00元');
    expect(html).toContain('（签批后编号）');
    expect(html).toContain('（未提交）');
    expect(html).toContain('尚未进行自动审查。');
    expect(html).toContain('（待主要领导签批）');
  });
});
