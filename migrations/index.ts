import { Initial1795333248302 } from './1795333248302-Initial.js';
import { AuditAppendOnly1795333248400 } from './1795333248400-AuditAppendOnly.js';
import { JobQueue1795334452800 } from './1795334452800-JobQueue.js';
import { WorkflowRuntime1795334860789 } from './1795334860789-WorkflowRuntime.js';
import { AdmissionApplications1795339100008 } from './1795339100008-AdmissionApplications.js';
import { ReferenceLists1795339100108 } from './1795339100108-ReferenceLists.js';
import { AuditChainAtCommit1795491941520 } from './1795491941520-AuditChainAtCommit.js';
import { OpenSignerIndex1796102269013 } from './1796102269013-OpenSignerIndex.js';
import { WorkflowStepGuard1796102900000 } from './1796102900000-WorkflowStepGuard.js';
import { AuditRecordOnlyFromChain1796103500000 } from './1796103500000-AuditRecordOnlyFromChain.js';
import { OrgUnitChanges1796104100000 } from './1796104100000-OrgUnitChanges.js';
import { RevertedDefinitionDeploysAgain1796148810281 } from './1796148810281-RevertedDefinitionDeploysAgain.js';
import { AuditSeals1796148826328 } from './1796148826328-AuditSeals.js';
import { PasswordSetBy1796149007993 } from './1796149007993-PasswordSetBy.js';
import { TimerIncidents1796149055757 } from './1796149055757-TimerIncidents.js';
import { LoginThrottle1796149333258 } from './1796149333258-LoginThrottle.js';
import { TaskCandidateGroups1796200000000 } from './1796200000000-TaskCandidateGroups.js';
import { DropSingleStatementCompletion1796900000000 } from './1796900000000-DropSingleStatementCompletion.js';
import { ApplicationReturnsAndTermination1797000200000 } from './1797000200000-ApplicationReturnsAndTermination.js';
import { ExitReasonOnCommunity1797000300000 } from './1797000300000-ExitReasonOnCommunity.js';
import { EmergencyFunding1797000400000 } from './1797000400000-EmergencyFunding.js';
import { FindingOverrides1797000100000 } from './1797000100000-FindingOverrides.js';
import { StampRegistry1797100000000 } from './1797100000000-StampRegistry.js';
import { ApplicationWithdrawal1797000500000 } from './1797000500000-ApplicationWithdrawal.js';
import { StampLog1797100300000 } from './1797100300000-StampLog.js';
import { StampProposals1797100100000 } from './1797100100000-StampProposals.js';
import { StampImports1797100200000 } from './1797100200000-StampImports.js';
import { StampRegistryChanges1797100400000 } from './1797100400000-StampRegistryChanges.js';
import { ApplicationCertificateName1797100410000 } from './1797100410000-ApplicationCertificateName.js';
import { Dispatch1797200000000 } from './1797200000000-Dispatch.js';
import { RefusalDisputes1797200100000 } from './1797200100000-RefusalDisputes.js';
import { WorkflowStateLz41796950000000 } from './1796950000000-WorkflowStateLz4.js';
import { DispatchCountsIndex1797200600000 } from './1797200600000-DispatchCountsIndex.js';
import { SessionChanges1797300500000 } from './1797300500000-SessionChanges.js';
import { StampImportDocument1797300600000 } from './1797300600000-StampImportDocument.js';
import { OrgUnitPathPrefix1797300700000 } from './1797300700000-OrgUnitPathPrefix.js';
import { StampImportCommonProblems1797300800000 } from './1797300800000-StampImportCommonProblems.js';
import { ReportFieldNames1797300900000 } from './1797300900000-ReportFieldNames.js';
import { StampRosterFollowsUnit1797301000000 } from './1797301000000-StampRosterFollowsUnit.js';
import { StampImportRowNotes1797301100000 } from './1797301100000-StampImportRowNotes.js';
import { ContestedStaysCounted1797301200000 } from './1797301200000-ContestedStaysCounted.js';
import { DisputesIndex1797300400000 } from './1797300400000-DisputesIndex.js';
import { NoticeWorkingDays1797300200000 } from './1797300200000-NoticeWorkingDays.js';
import { StampSampleForms1797300100000 } from './1797300100000-StampSampleForms.js';
import { DispatchCounters1797300000000 } from './1797300000000-DispatchCounters.js';

// Every migration, oldest first. Written by `npm run migration:generate`; add hand-written ones in order.
// prettier-ignore
export const MIGRATIONS: Function[] = [
  Initial1795333248302,
  AuditAppendOnly1795333248400,
  JobQueue1795334452800,
  WorkflowRuntime1795334860789,
  AdmissionApplications1795339100008,
  ReferenceLists1795339100108,
  AuditChainAtCommit1795491941520,
  OpenSignerIndex1796102269013,
  WorkflowStepGuard1796102900000,
  AuditRecordOnlyFromChain1796103500000,
  OrgUnitChanges1796104100000,
  RevertedDefinitionDeploysAgain1796148810281,
  AuditSeals1796148826328,
  PasswordSetBy1796149007993,
  TimerIncidents1796149055757,
  LoginThrottle1796149333258,
  TaskCandidateGroups1796200000000,
  DropSingleStatementCompletion1796900000000,
  ApplicationReturnsAndTermination1797000200000,
  ExitReasonOnCommunity1797000300000,
  EmergencyFunding1797000400000,
  FindingOverrides1797000100000,
  StampRegistry1797100000000,
  ApplicationWithdrawal1797000500000,
  StampLog1797100300000,
  StampProposals1797100100000,
  StampImports1797100200000,
  StampRegistryChanges1797100400000,
  ApplicationCertificateName1797100410000,
  Dispatch1797200000000,
  RefusalDisputes1797200100000,
  WorkflowStateLz41796950000000,
  DispatchCountsIndex1797200600000,
  DisputesIndex1797300400000,
  NoticeWorkingDays1797300200000,
  StampSampleForms1797300100000,
  DispatchCounters1797300000000,
  SessionChanges1797300500000,
  StampImportDocument1797300600000,
  OrgUnitPathPrefix1797300700000,
  StampImportCommonProblems1797300800000,
  ReportFieldNames1797300900000,
  StampRosterFollowsUnit1797301000000,
  StampImportRowNotes1797301100000,
  ContestedStaysCounted1797301200000,
];
