import { AppError } from '../common/errors.js';
import type { InForceEntry } from '../stamps/precedence.js';
import type { StampAnswer, StampRegistryService } from '../stamps/stamp-registry.service.js';
import type { Finding } from './admission-application.entity.js';

/** The code of the stamp registry's finding (the override route names it). */
export const STAMP_REGISTRY_CHECK = 'stamp-registry';

function sourceOf(x: InForceEntry, a: StampAnswer): string {
  const scope = a.scopes.get(x.list.scopeCode)?.name ?? '';
  return `${scope}《${x.list.title}》（${x.list.documentNumber}）`;
}

const where = (a: StampAnswer) => a.community?.name ?? '全国范围';

/**
 * Issue 13 §7: a stamp demand (kind stamp, 盖章证明) is looked up in the stamp registry for each of its target
 * communities on its start date (no community, or none still open: the national answer). Prohibited in any of them: a failing finding
 * citing the list (民发〔2020〕20号: a committee must not issue it), overridden only by the principal leader, as a
 * negative-list hit is. Not listed in some: a warning (a committee issues a certificate only with a legal basis).
 * Allowed in all: a pass naming the list.
 */
export async function stampRegistryFinding(
  registry: StampRegistryService,
  certificateName: string,
  communityIds: string[],
  day: string,
): Promise<Finding> {
  const answers: StampAnswer[] = [];
  try {
    for (const id of communityIds) {
      try {
        answers.push(await registry.check(certificateName, id, day));
      } catch (e) {
        // A community closed since it was chosen: the other target communities answer.
        if (!(e instanceof AppError && e.code === 'COMMUNITY_NOT_FOUND')) throw e;
      }
    }
    // Every target community closed (or unknown) meanwhile: the national answer still holds, never a pass on nothing.
    if (!answers.length) answers.push(await registry.check(certificateName, undefined, day));
  } catch (e) {
    if (!(e instanceof AppError && e.code === 'VALIDATION_FAILED')) throw e;
    return {
      check: STAMP_REGISTRY_CHECK,
      result: 'warn',
      message: `盖章证明事项清单：证明名称“${certificateName}”过长，无法与清单对照，请退回部门写明证明的名称。The certificate's name is too long to look up.`,
    };
  }
  const details = answers.map((a) => ({
    communityId: a.community?.id ?? null,
    communityCode: a.community?.code ?? null,
    communityName: a.community?.name ?? null,
    decision: a.decision,
    certificate: a.deciding?.entry.name ?? null,
    legalBasis: a.deciding?.entry.legalBasis ?? null,
    documentNumber: a.deciding?.list.documentNumber ?? null,
    listTitle: a.deciding?.list.title ?? null,
    scopeCode: a.deciding?.list.scopeCode ?? null,
    candidates: a.candidates.map((c) => c.entry.name),
  }));
  const prohibited = answers.filter((a) => a.decision === 'prohibited' && a.deciding);
  if (prohibited.length) {
    // One line per deciding list entry, with the communities it decides for.
    const bySource = new Map<string, { text: string; communities: string[] }>();
    for (const a of prohibited) {
      const d = a.deciding!;
      const line = bySource.get(d.entry.id) ?? {
        text: `${sourceOf(d, a)}将“${d.entry.name}”列为不应由社区出具的证明（${d.entry.legalBasis}）`,
        communities: [],
      };
      line.communities.push(where(a));
      bySource.set(d.entry.id, line);
    }
    const lines = [...bySource.values()].map((l) => `${l.text}，涉及：${l.communities.join('、')}`);
    return {
      check: STAMP_REGISTRY_CHECK,
      result: 'fail',
      message: `盖章证明事项清单：要求社区居委会出具的“${certificateName}”不应由社区出具。${lines.join('；')}。请退回部门取消该盖章要求，改用本人承诺、部门间核查等方式；只有主要领导可书面说明理由后放行。The registry prohibits this certificate for ${prohibited.length} target communit${prohibited.length === 1 ? 'y' : 'ies'}.`,
      details,
    };
  }
  const notListed = answers.filter((a) => a.decision !== 'allowed');
  if (notListed.length) {
    const close = [...new Set(notListed.flatMap((a) => a.candidates.map((c) => `“${c.entry.name}”`)))];
    return {
      check: STAMP_REGISTRY_CHECK,
      result: 'warn',
      message: `盖章证明事项清单：“${certificateName}”未列入${notListed.map(where).join('、')}适用的盖章证明事项清单${close.length ? `（相近的清单事项：${close.slice(0, 5).join('、')}）` : ''}。根据民发〔2020〕20号，社区居委会只对法律法规或国务院决定保留的事项出具证明，请核实部门所附的法律依据。Not on the lists in force: check its legal basis.`,
      details,
    };
  }
  const sources = [...new Set(answers.map((a) => `${sourceOf(a.deciding!, a)}“${a.deciding!.entry.name}”`))];
  return {
    check: STAMP_REGISTRY_CHECK,
    result: 'pass',
    message: `盖章证明事项清单：“${certificateName}”在全部目标社区可以由社区居委会出具，依据${sources.join('、')}。Allowed in every target community.`,
    details,
  };
}
