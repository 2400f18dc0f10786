/*
 * Real objects made through the API, as the demo users would make them, for the batteries to aim at: an
 * application of dept-staff walked into the office's completeness review, a draft of another department, an
 * attachment, an admitted item with a registered funding transfer, and an account made by the system admin.
 */
import { randomUUID } from 'node:crypto';
import {
  type Api,
  approveSteps,
  COMMUNITY,
  directory,
  PASSWORD,
  type ScratchDatabase,
  submitApplication,
  taskOf,
  makeApplication,
} from './harness.js';

/** A district-2 community (湖滨社区, committee-d2's) and a community of another district-1 street. */
export const D2_COMMUNITY = '339902001001';
export const OTHER_STREET_COMMUNITY = '339901002001';

/** The smallest PDF the attachment check accepts (its magic bytes). */
export const PDF_BASE64 = Buffer.from('%PDF-1.4\n%battery\n').toString('base64');

export interface Fixtures {
  unit: Record<string, string>;
  user: Record<string, string>;
  /** dept-staff's application, approved by the department head, at the office's completeness review. */
  application: string;
  instance: string;
  /** The office's completeness-review task of that case. */
  task: string;
  attachment: string;
  /** A task the leader completed (leaderSign of the admitted item's case). */
  completedTask: string;
  /** dept2-staff's draft (another district-1 department). */
  draft: string;
  /** An admitted item targeting C1 and C2, with C1's transfer registered (not confirmed). */
  item: string;
  itemInstance: string;
  transfer: string;
  /** A case of a city department at the city office's completeness review, its open task, and a done one. */
  cityInstance: string;
  cityTask: string;
  cityDoneTask: string;
  /** An account the system admin made (a district-1 department, no roles). */
  account: string;
  /** A stamp log entry of C1 (用印登记), handled by committee and approved by a second C1 committee account. */
  stampLog: string;
  /** A stamp-list import (dry run) of the district-1 office: a new district list of one certificate. */
  stampImport: string;
  /** dept-staff's dispatch to C1 and C2 (no item: uncovered), and C1's piece of it (committee's). */
  dispatch: string;
  piece: string;
}

export async function makeFixtures(api: Api, db: ScratchDatabase): Promise<Fixtures> {
  const { unit, user } = await directory(db);
  const communities = [unit[COMMUNITY.C1], unit[COMMUNITY.C2]];

  const { instanceId, task } = await reviewCase(api, unit, true);
  const reviewed = { applicationId: (await applicationOf(db, instanceId)) as string, instanceId };
  const attachment = (
    await db.query<{ id: string }>('SELECT id FROM application_attachment WHERE application_id = $1', [
      reviewed.applicationId,
    ])
  )[0];

  const draft = await api.as('dept2-staff', 'POST', '/applications', makeApplication(communities));

  const admitted = await submitApplication(api, 'dept-staff', communities);
  await approveSteps(api, admitted.instanceId, 0, 7);
  const [item] = await db.query<{ id: string }>('SELECT id FROM admitted_item WHERE application_id = $1', [
    admitted.applicationId,
  ]);
  const transfer = await api.as('dept-staff', 'POST', `/admitted-items/${item.id}/transfers`, {
    communityId: unit[COMMUNITY.C1],
    amountFen: 300000,
    account: '东华街道社区财务专账 6222',
    reference: 'GK-battery-1',
    idempotencyKey: `battery-${randomUUID()}`,
  });

  const dispatch = await api.as('dept-staff', 'POST', '/dispatches', {
    kind: 'task',
    title: '张贴防汛通知',
    content: '请在社区公告栏张贴防汛通知。',
    dueDate: '2027-12-31',
    expectedHours: 1,
    targets: communities,
  });
  const [piece] = await db.query<{ id: string }>(
    'SELECT id FROM dispatch_delivery WHERE dispatch_id = $1 AND community_id = $2',
    [dispatch.id, unit[COMMUNITY.C1]],
  );

  const account = await api.as('sysadmin', 'POST', '/admin/users', {
    username: 'battery-clerk',
    displayName: '测试经办人',
    unitId: unit['339901-WJ'],
    password: 'Battery@Clerk-2026',
  });
  user['battery-clerk'] = account.id as string;

  const city = await cityCase(api, unit, communities);
  const stampLog = await stampLogEntry(api, unit, user);

  const stampImport = await api.as('office', 'POST', '/stamp-imports', {
    fileName: 'battery.csv',
    contentBase64: Buffer.from(
      'seq,name,list_type,scope,source_document,issued_by,issued\n1,电池测试证明,allowed,339901,东民发〔2027〕99号,东湖区民政局,2027-01\n',
    ).toString('base64'),
  });

  return {
    unit,
    user,
    ...city,
    application: reviewed.applicationId,
    instance: reviewed.instanceId,
    task,
    attachment: attachment.id as string,
    draft: draft.id as string,
    item: item.id,
    itemInstance: admitted.instanceId,
    transfer: transfer.id as string,
    completedTask: (
      await db.query<{ id: string }>(
        `SELECT id FROM workflow_task WHERE instance_id = $1 AND element_id = 'leaderSign'`,
        [admitted.instanceId],
      )
    )[0].id,
    account: account.id as string,
    stampLog,
    stampImport: stampImport.id as string,
    dispatch: dispatch.id as string,
    piece: piece.id,
  };
}

/** C1's committee puts itself and a second committee account on its stamp roster and records one stamp. */
async function stampLogEntry(
  api: Api,
  unit: Record<string, string>,
  user: Record<string, string>,
): Promise<string> {
  const colleague = await makeUser(api, 'battery-committee-b', unit[COMMUNITY.C1], 'COMMITTEE');
  for (const userId of [user.committee, colleague])
    await api.as('committee', 'POST', '/my-community/stamp-log/members', { userId });
  const entry = await api.as('committee', 'POST', '/my-community/stamp-log', {
    stampedAt: new Date(Date.now() - 86_400_000).toISOString(),
    certificateName: '居住证明',
    purpose: '办理居住证',
    copies: 1,
    requesterName: '测试申请人',
    requesterPhone: '13812341234',
    handlerId: user.committee,
    approverId: colleague,
  });
  return entry.id as string;
}

async function applicationOf(db: ScratchDatabase, instanceId: string): Promise<string> {
  const rows = await db.query<{ id: string }>('SELECT id FROM admission_application WHERE instance_id = $1', [
    instanceId,
  ]);
  return rows[0].id;
}

/**
 * dept-staff drafts an application for C1 and C2 (with an attachment when asked), submits it and the department
 * head approves: answers the case and the office's completeness-review task.
 */
export async function reviewCase(
  api: Api,
  unit: Record<string, string>,
  withAttachment = false,
): Promise<{ instanceId: string; task: string }> {
  const draft = await api.as(
    'dept-staff',
    'POST',
    '/applications',
    makeApplication([unit[COMMUNITY.C1], unit[COMMUNITY.C2]]),
  );
  if (withAttachment)
    await api.as('dept-staff', 'POST', `/applications/${draft.id as string}/attachments`, {
      fileName: '依据.pdf',
      contentType: 'application/pdf',
      contentBase64: PDF_BASE64,
    });
  const submitted = await api.as('dept-staff', 'POST', `/applications/${draft.id as string}/submit`, {});
  const instanceId = submitted.instanceId as string;
  await approveSteps(api, instanceId, 0, 1);
  return { instanceId, task: await taskOf(api, 'office', instanceId, 'completeness') };
}

/** A fresh task at the office's completeness review. */
export async function reviewTask(api: Api, _db: ScratchDatabase, f: Fixtures): Promise<string> {
  return (await reviewCase(api, f.unit)).task;
}

/**
 * A city department's staff and head (made by the system admin, roles granted by the security admin), and their
 * application walked to the city office's completeness review.
 */
async function cityCase(api: Api, unit: Record<string, string>, communities: string[]) {
  await makeUser(api, 'city-staff', unit['3399-WJ'], 'DEPT_STAFF');
  await makeUser(api, 'city-head', unit['3399-WJ'], 'DEPT_HEAD');
  const { instanceId } = await submitApplication(api, 'city-staff', communities);
  const done = await taskOf(api, 'city-head', instanceId, 'deptApprove');
  await api.as('city-head', 'POST', `/tasks/${done}/complete`, { decision: 'approve' });
  return {
    cityInstance: instanceId,
    cityTask: await taskOf(api, 'city-office', instanceId, 'completeness'),
    cityDoneTask: done,
  };
}

/** An account made by the system admin in `unitId`, granted `role` by the security admin; answers its id. */
export async function makeUser(api: Api, username: string, unitId: string, role: string): Promise<string> {
  const made = await api.as('sysadmin', 'POST', '/admin/users', {
    username,
    displayName: username,
    unitId,
    password: PASSWORD,
  });
  await api.as('secadmin', 'PUT', `/admin/users/${made.id as string}/roles`, {
    roles: [role],
    version: made.version,
  });
  return made.id as string;
}
