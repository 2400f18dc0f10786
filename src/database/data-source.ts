import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { AdmissionApplication } from '../admission/admission-application.entity.js';
import { NegativeListChange, NegativeListItem, StatutoryArea } from '../admission/reference.entities.js';
import { AdmittedItem, AdmittedItemCommunity, FundingTransfer } from '../admission/admitted-item.entities.js';
import { ExitProposal, ItemEvaluation } from '../admission/exit.entities.js';
import { ApplicationAttachment } from '../admission/attachment.entity.js';
import { AuditHead, AuditPending } from '../audit/audit-head.entity.js';
import { AuditSeal } from '../audit/audit-seal.entity.js';
import { AuditRecord } from '../audit/audit-record.entity.js';
import { AuthSession } from '../auth/auth-session.entity.js';
import { LoginThrottle } from '../auth/login-throttle.entity.js';
import { LeadingGroupMember } from '../org/leading-group-member.entity.js';
import { OrgUnit } from '../org/org-unit.entity.js';
import { User } from '../org/user.entity.js';
import { type DbTimeouts, pgPoolOptions } from './pg-options.js';
import { StampEntry, StampList } from '../stamps/stamp-registry.entities.js';
import { StampLogEntry, StampLogMember, StampLogVoid } from '../stamps/stamp-log.entities.js';
import { StampProposal } from '../stamps/stamp-proposal.entity.js';
import { StampImport, StampImportRow } from '../stamps/stamp-import.entities.js';
import { StampSampleForm } from '../stamps/stamp-sample-form.entity.js';
import { Dispatch, DispatchDelivery } from '../dispatch/dispatch.entities.js';
import { DispatchCount } from '../dispatch/dispatch-count.entity.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';
import { SystemSetting } from './system-setting.entity.js';
import { WorkCalendarDay } from '../workflow/work-calendar-day.entity.js';
import { WorkflowDefinition } from '../workflow/workflow-definition.entity.js';
import { WorkflowHistory } from '../workflow/workflow-history.entity.js';
import { WorkflowIncident } from '../workflow/workflow-incident.entity.js';
import { WorkflowInstance } from '../workflow/workflow-instance.entity.js';
import { WorkflowTask } from '../workflow/workflow-task.entity.js';
import { WorkflowTimer } from '../workflow/workflow-timer.entity.js';
import { WorkflowUndo } from '../workflow/workflow-undo.entity.js';

/** Every entity of the service; the migration drift check compares exactly these with the migrations. */
export const ENTITIES = [
  OrgUnit,
  LeadingGroupMember,
  User,
  AuthSession,
  LoginThrottle,
  SystemSetting,
  AuditRecord,
  AuditHead,
  AuditPending,
  AuditSeal,
  WorkflowDefinition,
  WorkflowInstance,
  WorkflowTask,
  WorkflowTimer,
  WorkflowHistory,
  WorkflowIncident,
  WorkCalendarDay,
  WorkflowUndo,
  StatutoryArea,
  NegativeListItem,
  AdmissionApplication,
  AdmittedItem,
  AdmittedItemCommunity,
  FundingTransfer,
  ItemEvaluation,
  ExitProposal,
  ApplicationAttachment,
  NegativeListChange,
  StampList,
  StampEntry,
  StampLogEntry,
  StampLogVoid,
  StampLogMember,
  StampProposal,
  StampImport,
  StampImportRow,
  StampSampleForm,
  Dispatch,
  DispatchDelivery,
  DispatchCount,
];

/** Without timeouts (tools, tests, migrations run by hand) nothing is bounded but the guard on every client. */
export function dataSourceOptions(url: string, poolSize = 10, timeouts?: DbTimeouts): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migration',
    namingStrategy: new SnakeNamingStrategy(),
    uuidExtension: 'pgcrypto',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: poolSize, application_name: 'community-work-admission', ...pgPoolOptions(timeouts) },
  };
}

export function makeDataSource(url: string, poolSize = 10, timeouts?: DbTimeouts): DataSource {
  return new DataSource(dataSourceOptions(url, poolSize, timeouts));
}
