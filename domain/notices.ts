/**
 * Written notices the law requires, as templates. Pure: the activity that files a notice renders it here,
 * and the API renders the printable document from the stored text.
 */
export const noticeKinds = {
  routing: { title: '信访事项法定途径告知书', basis: '《信访工作条例》第二十二条、第三十一条' },
  non_acceptance: { title: '不予受理告知书', basis: '《信访工作条例》第二十二条' },
  forwarded: { title: '信访事项转送（交办）告知书', basis: '《信访工作条例》第二十二条' },
  acceptance: { title: '信访事项受理告知书', basis: '《信访工作条例》第二十三条' },
  extension: { title: '信访事项延期办理告知书', basis: '《信访工作条例》第三十四条' },
  reply: { title: '信访事项处理意见书', basis: '《信访工作条例》第三十二条、第三十四条' },
  review_decision: { title: '信访事项复查意见书', basis: '《信访工作条例》第三十五条' },
  re_review_decision: { title: '信访事项复核意见书', basis: '《信访工作条例》第三十六条' },
  refusal: { title: '不予受理告知书', basis: '《信访工作条例》第三十五条、第三十六条' },
  warning_slip: { title: '信访预警单', basis: '丽委办发〔2018〕51号 二（二）4 建立信访预警机制' },
} as const;
export type NoticeKind = keyof typeof noticeKinds;

export interface NoticeInput {
  kind: NoticeKind;
  caseNo: string;
  issuedOn: string;
  /** Field → text, rendered in order as the notice's body. */
  fields: [label: string, text: string][];
  /** Overrides the kind's default legal basis (e.g. the 2005 rules for an old matter). */
  legalBasis?: string;
}

export function renderNotice(n: NoticeInput): { title: string; body: string; legalBasis: string } {
  const kind = noticeKinds[n.kind];
  const legalBasis = n.legalBasis ?? kind.basis;
  const body = [
    kind.title,
    `信访件编号：${n.caseNo}`,
    ...n.fields.map(([label, text]) => `${label}：${text}`),
    `依据：${legalBasis}`,
    `日期：${n.issuedOn}`,
  ].join('\n');
  return { title: kind.title, body, legalBasis };
}
