import type { EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service.js';
import { publishStampList, type NewStampList } from './stamp-lists.js';

/**
 * Demo data: the city of the demo organization (示范市, code 3399) publishes the five certificates its committees
 * may issue, so that the public check shows all three answers — allowed (居住证明 in a 示范市 community),
 * prohibited (居民养犬证明, 民发〔2020〕20号) and not listed (anything else). The document is invented, like the city.
 */
export const DEMO_CITY_STAMP_LIST: NewStampList = {
  title: '示范市社区居民委员会出具证明事项保留清单',
  documentNumber: '示民发〔2021〕15号',
  issuedBy: '示范市民政局 示范市司法局',
  issuedOn: '2021-06-15',
  link: null,
  listType: 'allowed',
  scopeCode: '3399',
  effectiveFrom: '2021-07-01',
  recordedFrom: 'demo seed',
  entries: [
    {
      seq: 1,
      name: '居住证明',
      aliases: ['居住情况证明', '住址证明'],
      legalBasis: '《居住证暂行条例》（国务院令第663号）第九条；示民发〔2021〕15号第1项',
      purpose: '申领居住证时证明在本社区居住',
      conditions: '本人身份证件；在本社区实际居住的材料（租赁合同或房屋权属证明之一）',
      procedure: '申请人到社区居委会服务窗口提出申请 → 工作人员核对材料并入户或向楼栋长核实 → 出具证明并登记',
      timeLimit: { kind: 'working-days', workingDays: 3 },
    },
    {
      seq: 2,
      name: '生活困难证明',
      aliases: ['困难证明', '家庭困难证明'],
      legalBasis: '《社会救助暂行办法》（国务院令第649号）临时救助有关规定；示民发〔2021〕15号第2项',
      purpose: '申请临时救助时说明家庭遭遇的困难',
      conditions: '本人身份证件；家庭困难情况说明',
      procedure: '申请人提出 → 社区居委会走访核实 → 社区公示3日无异议 → 出具证明',
      timeLimit: { kind: 'working-days', workingDays: 5 },
    },
    {
      seq: 3,
      name: '志愿服务记录证明',
      aliases: ['志愿服务证明', '志愿者证明'],
      legalBasis: '《志愿服务条例》（国务院令第685号）第二十一条；示民发〔2021〕15号第3项',
      purpose: '证明在本社区组织的志愿服务中的服务时长',
      conditions: '本人身份证件；社区志愿服务记录',
      procedure: '申请人提出 → 社区居委会核对志愿服务记录 → 当场出具',
      timeLimit: { kind: 'on-the-spot' },
    },
    {
      seq: 4,
      name: '公共租赁住房申请家庭住房情况证明',
      aliases: ['公租房住房情况证明', '公租房证明'],
      legalBasis: '《公共租赁住房管理办法》（住房和城乡建设部令第11号）；示民发〔2021〕15号第4项',
      purpose: '申请公共租赁住房时说明家庭在本社区的住房情况',
      conditions: '本人身份证件；户口簿；现住房的租赁或借住说明',
      procedure: '申请人提出 → 社区居委会入户核实 → 出具证明',
      timeLimit: { kind: 'working-days', workingDays: 5 },
    },
    {
      seq: 5,
      name: '社区矫正对象公益活动参加情况证明',
      aliases: ['公益活动证明'],
      legalBasis: '《中华人民共和国社区矫正法》第四十二条；示民发〔2021〕15号第5项',
      purpose: '社区矫正机构了解社区矫正对象在本社区参加公益活动的情况',
      conditions: '社区矫正机构的书面函件',
      procedure: '社区矫正机构来函 → 社区居委会核对活动记录 → 出具证明',
      timeLimit: { kind: 'working-days', workingDays: 3 },
    },
  ],
};

/** Records the demo city's allowed list in the seed's transaction. */
export async function seedDemoStampList(m: EntityManager, audit: AuditService): Promise<void> {
  await publishStampList(m, audit, {}, DEMO_CITY_STAMP_LIST);
}
