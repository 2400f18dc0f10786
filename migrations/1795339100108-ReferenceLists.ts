import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hand-written: the published reference lists, copied with their sources — the sixteen statutory assisting
 * areas (中办发〔2010〕27号) and the national negative list (民发〔2015〕136号 §一; 国办函〔2026〕12号), each
 * negative-list entry with the words that reveal it in an application.
 */
export class ReferenceLists1795339100108 implements MigrationInterface {
  name = 'ReferenceLists1795339100108';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO statutory_area (code, name_zh, name_en, source) VALUES
         ('public_order', '社会治安', 'public order', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('community_correction', '社区矫正', 'community correction', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('public_health', '公共卫生', 'public health', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('family_planning', '计划生育', 'family planning', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('special_care_relief', '优抚救济', 'special care and relief', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('community_education', '社区教育', 'community education', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('employment', '劳动就业', 'employment', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('social_security', '社会保障', 'social security', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('social_assistance', '社会救助', 'social assistance', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('housing_security', '住房保障', 'housing security', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('culture_sports', '文化体育', 'culture and sports', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('consumer_rights', '消费维权', 'consumer rights', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('elderly_rights', '老年人权益保障', 'rights of the elderly', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('disabled_rights', '残疾人权益保障', 'rights of the disabled', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('minors_rights', '未成年人权益保障', 'rights of minors', '中办发〔2010〕27号 (quoted in seed 002 §4)'),
         ('floating_population_rights', '流动人口权益保障', 'rights of the floating population', '中办发〔2010〕27号 (quoted in seed 002 §4)')`,
    );
    await queryRunner.query(
      `INSERT INTO negative_list_item (code, name_zh, name_en, applies_to, keywords, source) VALUES
         ('investment_promotion', '招商引资任务指标', 'investment-attraction targets', 'any kind', ARRAY['招商引资'], '民发〔2015〕136号《关于进一步开展社区减负工作的通知》 §一'),
         ('tax_assistance', '协税护税任务指标', 'tax-collection assistance targets', 'any kind', ARRAY['协税护税', '协税'], '民发〔2015〕136号 §一'),
         ('revenue_generation', '经济创收任务指标', 'revenue-generation targets', 'any kind', ARRAY['经济创收', '创收'], '民发〔2015〕136号 §一'),
         ('law_enforcement', '以社区为责任主体的行政执法', 'administrative law enforcement with the community as the responsible party', 'task', ARRAY['行政执法', '执法主体'], '民发〔2015〕136号 §一'),
         ('demolition', '以社区为责任主体的拆迁拆违', 'demolition and removal of illegal buildings with the community as the responsible party', 'task', ARRAY['拆迁', '拆违'], '民发〔2015〕136号 §一'),
         ('environment_rectification', '以社区为责任主体的环境整治', 'environmental rectification with the community as the responsible party', 'task', ARRAY['环境整治'], '民发〔2015〕136号 §一'),
         ('city_management', '以社区为责任主体的城市管理', 'city management with the community as the responsible party', 'task', ARRAY['城市管理'], '民发〔2015〕136号 §一'),
         ('app_check_in', '政务应用要求打卡签到、积分排名、在线时长', 'government apps that demand check-ins, points rankings or online time', 'app', ARRAY['打卡', '签到', '积分排名', '在线时长'], '国办函〔2026〕12号'),
         ('app_forced_install', '强制推广下载、考核安装使用率、强制定期登录', 'forced downloads, install-rate targets, forced regular logins', 'app', ARRAY['强制推广', '下载量', '安装使用率', '强制定期登录', '强制登录'], '国办函〔2026〕12号')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM negative_list_item');
    await queryRunner.query('DELETE FROM statutory_area');
  }
}
