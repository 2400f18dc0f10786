import { chinaDayOf, chineseDay } from '../../format';

/** One target community of an item (`ItemCommunityDto` of `GET /admitted-items/:id`). */
export interface ItemCommunity {
  communityId: string;
  code: string;
  name: string;
  street: string | null;
  fundingDueFen: number;
  fundingStatus: string;
  fundingState: string;
  registeredFen: number;
  confirmedFen: number;
  fundingDeadline: string | null;
  enteredAt: string | null;
  lapsedAt: string | null;
  exitedAt: string | null;
  exitReason: string | null;
}

/** An admitted item as `GET /admitted-items/:id` answers it (AdmittedItemDto), the fields the pages show. */
export interface AdmittedItem {
  id: string;
  admissionNumber: string;
  emergency: boolean;
  emergencyReason: string | null;
  kind: string;
  title: string;
  statutoryArea: string;
  legalBasis: string | null;
  authorizedContent: string;
  targetPopulation: string;
  powers: string;
  startDate: string;
  endDate: string;
  fundingPerCommunityFen: number;
  fundingSource: string | null;
  reportFields: string[];
  /** 派单提前期: work sent under the item leaves at least this many working days before its due date; null: 3. */
  noticeWorkingDays: number | null;
  signedAt: string;
  exitedAt: string | null;
  exitReason: string | null;
  overriddenFindings: {
    code: string;
    message: string;
    override: { role: 'office' | 'leader'; unitName: string; at: string; reason: string };
  }[];
  communities: ItemCommunity[];
}

/**
 * In force in the community on a China day, as the server's register means it (src/admission/in-force.ts): within
 * the period, entered by that day (funding confirmed or none due; never when it lapsed), not yet left.
 */
export function inForceOn(item: AdmittedItem, c: ItemCommunity, day: string): boolean {
  if (day < item.startDate || day > item.endDate) return false;
  if (!c.enteredAt || c.fundingStatus === 'lapsed' || chinaDayOf(c.enteredAt) > day) return false;
  return !c.exitedAt || chinaDayOf(c.exitedAt) > day;
}

/** Where the item stands in one community, in words a resident reads. */
export function communityState(item: AdmittedItem, c: ItemCommunity): string {
  if (c.exitedAt)
    return `已于${chineseDay(chinaDayOf(c.exitedAt))}退出${c.exitReason ? `（${c.exitReason}）` : ''}`;
  if (c.fundingStatus === 'lapsed') return '经费逾期未到位，未在该社区实施';
  if (!c.enteredAt) return '待经费到位后实施';
  const from = [item.startDate, chinaDayOf(c.enteredAt)].sort()[1];
  return `自${chineseDay(from)}起实施，至${chineseDay(item.endDate)}`;
}

/** The sixteen statutory areas' Chinese names (`GET /admission/statutory-areas`, public), by code. */
export type AreaNames = Record<string, string>;
